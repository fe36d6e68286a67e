import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { usdToUnits } from '../../src/metering/limits.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';
import { cleanupProcesses, GatewayProcess, writeTempConfig, type LogLine } from './process-harness.ts';

// The guarantee, against real Redis: three gateway processes share one tenant's budget while
// hundreds of concurrent requests (JSON, streams, streams abandoned mid-way) race for it.
// Committed spend never exceeds the budget, and the store's totals equal the sum of the
// per-request usage the gateways logged: nothing lost, nothing counted twice.

const KEY = 'tg-concurrency-key';
const ADMIN = 'concurrency-admin-key';
const REQUESTS = 450;
const CLIENTS = 150;
// Each call really costs (6 input × $1 + 20 output × $2) / 1M = $0.000046; about 150 fit.
const BUDGET_USD = 0.0069;

let fake: FakeUpstream | undefined;
afterAll(async () => {
  await cleanupProcesses();
  await fake?.close();
});

describe('budget guarantee across three processes', () => {
  it(`${REQUESTS} concurrent requests never overspend, and every unit of usage is counted once`, async () => {
    fake = await startFakeUpstream({ record: false });
    fake.setDefault({ usage: { prompt_tokens: 6, completion_tokens: 20 }, latencyMs: 15, chunks: 6, chunkDelayMs: 5 });
    const config = writeTempConfig(`
server: { host: 127.0.0.1, port: 0, adminKey: ${ADMIN} }
state: { kind: redis, url: "${inject('redisUrl')}", onUnavailable: deny, keyPrefix: "proof-${randomUUID().slice(0, 8)}:" }
pricing: { fake-model: { input: 1, output: 2 } }
providers:
  fake: { kind: openai, baseUrl: ${fake.url}, apiKey: sk-x }
models:
  chat: { targets: [{ provider: fake, model: fake-model }] }
tenants:
  team:
    keys: ["${hashKey(KEY)}"]
    models: [chat]
    budgets:
      - { window: month, usd: ${BUDGET_USD} }
      - { window: day, tokens: 100000000 }
      - { window: minute, requests: 100000 }
`);
    const gateways = [0, 1, 2].map(() => new GatewayProcess(['--config', config]));
    const urls = (await Promise.all(gateways.map((g) => g.listening(15_000)))).map((l) => l.url);
    const started = performance.now();

    // 150 clients keep requests in flight until all are sent: refusals come back at once,
    // so the budget stays contended by ~150 concurrent reservations to the end.
    const statuses: number[] = [];
    let sent = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (sent < REQUESTS) {
          const i = sent++;
          const status = await fire(urls[i % 3]!, i);
          statuses.push(status);
          // A refused client waits a little, as a real one would, so the budget is spent to its end.
          if (status === 429) await new Promise((r) => setTimeout(r, 30));
        }
      }),
    );
    const ok = statuses.filter((s) => s === 200).length;
    const refused = statuses.filter((s) => s === 429).length;
    expect(ok + refused).toBe(REQUESTS);
    expect(refused).toBeGreaterThan(0);

    // One request line per request, across the three processes (streams log when they end).
    const requestLines = (): LogLine[] => gateways.flatMap((g) => g.logs.filter((l) => typeof l.status === 'number' && l.reqId !== undefined));
    await waitFor(() => requestLines().length === REQUESTS, 10_000);
    const admitted = requestLines().filter((l) => l.code !== 'budget_exceeded');

    // Settlements of streams land just after their log line: wait until nothing is held.
    let limits: Array<{ measure: string; used: number; reserved: number; limit: number }> = [];
    await waitFor(async () => {
      const response = await fetch(`${urls[0]}/admin/usage?tenant=team`, { headers: { authorization: `Bearer ${ADMIN}` } });
      limits = ((await response.json()) as { limits: typeof limits }).limits;
      return limits.every((l) => l.reserved === 0);
    }, 10_000);
    const usd = limits.find((l) => l.measure === 'usd')!;
    const tokens = limits.find((l) => l.measure === 'tokens')!;
    const requests = limits.find((l) => l.measure === 'requests')!;

    const committedNano = Math.round(usd.used * 1e9);
    const loggedNano = admitted.reduce((sum, l) => sum + usdToUnits(Number(l.costUsd ?? 0)), 0);
    const loggedTokens = admitted.reduce((sum, l) => sum + Number(l.promptTokens ?? 0) + Number(l.completionTokens ?? 0), 0);
    const budgetNano = Math.round(BUDGET_USD * 1e9);
    console.log(
      `budget proof (${Math.round(performance.now() - started)} ms after start-up): ${REQUESTS} requests fired over 3 processes, ${ok} served, ${refused} refused (429); ` +
        `budget $${BUDGET_USD}, committed $${usd.used}, overspend $${Math.max(0, committedNano - budgetNano) / 1e9}; ` +
        `logged $${loggedNano / 1e9} / ${loggedTokens} tokens, store $${usd.used} / ${tokens.used} tokens`,
    );
    expect(committedNano).toBeLessThanOrEqual(budgetNano);
    expect(committedNano).toBe(loggedNano);
    expect(tokens.used).toBe(loggedTokens);
    expect(requests.used).toBe(admitted.length);
    // The budget was really contended: most of it was spent.
    expect(ok).toBeGreaterThan(50);
  }, 30_000);
});

/** Every third request streams; every ninth of those is abandoned after its first event. */
async function fire(url: string, i: number): Promise<number> {
  const stream = i % 3 === 1;
  const abandon = stream && i % 9 === 4;
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: 'chat', stream, max_tokens: 20 + (i % 5) * 10, messages: [{ role: 'user', content: `hi ${i}` }] }),
  });
  if (abandon && response.status === 200) {
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
  } else {
    await response.arrayBuffer();
  }
  return response.status;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
