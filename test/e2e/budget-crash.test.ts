import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';
import { cleanupProcesses, GatewayProcess, writeTempConfig } from './process-harness.ts';

// A gateway killed between reserve and settle: its reservation holds capacity in Redis
// until it expires, then the next operation on the tenant reclaims it.

const KEY = 'tg-crash-key';
const ADMIN = 'crash-admin-key';

let fake: FakeUpstream | undefined;
afterAll(async () => {
  await cleanupProcesses();
  await fake?.close();
});

describe('a gateway that dies holding a reservation', () => {
  it('leaks it only until the reservation expires', async () => {
    fake = await startFakeUpstream();
    // A stream that takes long enough for the process to be killed in the middle of it.
    fake.setDefault({ chunks: 50, chunkDelayMs: 100 });
    const config = writeTempConfig(`
server: { host: 127.0.0.1, port: 0, adminKey: ${ADMIN} }
state: { kind: redis, url: "${inject('redisUrl')}", keyPrefix: "crash-${randomUUID().slice(0, 8)}:" }
policies: { budgets: { reservationTtl: 1500ms } }
providers:
  fake: { kind: openai, baseUrl: ${fake.url}, apiKey: sk-x }
models:
  chat: { targets: [{ provider: fake, model: fake-model }] }
tenants:
  team:
    keys: ["${hashKey(KEY)}"]
    models: [chat]
    budgets: [{ window: day, tokens: 1000 }]
`);
    const doomed = new GatewayProcess(['--config', config]);
    const survivor = new GatewayProcess(['--config', config]);
    const [a, b] = await Promise.all([doomed.listening(15_000), survivor.listening(15_000)]);
    const tokens = async () => {
      const response = await fetch(`${b.url}/admin/usage?tenant=team`, { headers: { authorization: `Bearer ${ADMIN}` } });
      return ((await response.json()) as { limits: Array<{ used: number; reserved: number }> }).limits[0]!;
    };

    const response = await fetch(`${a.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'chat', stream: true, max_tokens: 900, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    const held = (await tokens()).reserved;
    expect(held).toBeGreaterThan(900);
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    // Still held: another request does not fit next to it.
    const refused = await fetch(`${b.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'chat', max_tokens: 200, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(refused.status).toBe(429);

    const deadline = Date.now() + 5_000;
    let now = await tokens();
    while (now.reserved > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = await tokens();
    }
    expect(now).toMatchObject({ used: 0, reserved: 0 });
  });
});
