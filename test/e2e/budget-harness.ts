import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load.ts';
import { hashKey } from '../../src/config/keys.ts';
import { startGateway, type Gateway } from '../../src/main.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';

// A gateway (in this process) with budgets configured, in front of the fake upstream.
// `budgets` is the YAML list for tenant `team`; `extra` adds top-level sections (state, pricing).

export const BUDGET_KEY = 'tg-budget-team-key';
export const FREE_KEY = 'tg-budget-free-key';
export const ADMIN_KEY = 'admin-key-0123456789abcdef';

export interface BudgetHarness {
  gateway: Gateway;
  fake: FakeUpstream;
  logs: Array<Record<string, unknown>>;
  chat(body: Record<string, unknown>, key?: string): Promise<Response>;
  get(path: string, key?: string | null): Promise<Response>;
  /** The caller's /v1/usage limits, keyed `window.measure[.model]`. */
  usage(key?: string): Promise<Record<string, { used: number; reserved: number; remaining: number; limit: number }>>;
  close(): Promise<void>;
}

export interface BudgetHarnessOptions {
  budgets: string;
  /** Extra top-level YAML (state:, pricing:, policies:). */
  extra?: string;
  adminKey?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export async function startBudgetHarness(options: BudgetHarnessOptions): Promise<BudgetHarness> {
  const fake = await startFakeUpstream();
  const yaml = `
server: { host: 127.0.0.1, port: 0, drainTimeout: 2s${options.adminKey === undefined ? '' : `, adminKey: ${JSON.stringify(options.adminKey)}`} }
${options.extra ?? ''}
providers:
  fake: { kind: openai, baseUrl: ${fake.url}, apiKey: sk-x, timeouts: { firstByte: 2s, idle: 2s, total: 10s } }
models:
  chat: { targets: [{ provider: fake, model: fake-model }] }
  pricey: { targets: [{ provider: fake, model: fake-model }, { provider: fake, model: fake-pricey }] }
  embed: { targets: [{ provider: fake, model: fake-embedding }] }
tenants:
  team:
    keys: ["${hashKey(BUDGET_KEY)}"]
    models: ["*"]
    budgets: ${options.budgets}
  free:
    keys: ["${hashKey(FREE_KEY)}"]
    models: ["*"]
`;
  const loaded = parseConfig(yaml, 'budgets.yaml', options.env ?? {});
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line));
      done();
    },
  });
  const gateway = await startGateway(loaded, createLogger('info', sink));
  const auth = (key: string | null | undefined): Record<string, string> =>
    key === null ? {} : { authorization: `Bearer ${key ?? BUDGET_KEY}` };
  const get = (path: string, key?: string | null) => fetch(`${gateway.url}${path}`, { headers: auth(key) });
  return {
    gateway,
    fake,
    logs,
    get,
    chat: (body, key) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth(key) },
        body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...body }),
      }),
    usage: async (key) => {
      const response = await get('/v1/usage', key);
      if (response.status !== 200) throw new Error(`/v1/usage answered ${response.status}: ${await response.text()}`);
      const report = (await response.json()) as { limits: Array<{ window: string; measure: string; model: string | null; used: number; reserved: number; remaining: number; limit: number }> };
      return Object.fromEntries(report.limits.map((l) => [`${l.window}.${l.measure}${l.model ? `.${l.model}` : ''}`, l]));
    },
    close: async () => {
      await gateway.shutdown();
      await fake.close();
    },
  };
}

/** Polls until `check` passes (settlement after a stream is asynchronous). */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
