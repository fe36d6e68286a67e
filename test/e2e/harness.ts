import { Writable } from 'node:stream';
import OpenAI from 'openai';
import type { Logger } from 'pino';
import { parseConfig } from '../../src/config/load.ts';
import { hashKey } from '../../src/config/keys.ts';
import { startGateway, type Gateway } from '../../src/main.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import type { TelemetryOptions } from '../../src/telemetry/telemetry.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';

// Starts the real gateway (in this process) in front of the scriptable fake upstream, with
// a config covering every path the end-to-end tests need, and captures its log lines.

export const TEAM_KEY = 'tg-team-a-key';
export const OTHER_KEY = 'tg-team-b-key';
export const UPSTREAM_KEY = 'sk-upstream-secret-0123456789';

export interface Harness {
  gateway: Gateway;
  fake: FakeUpstream;
  /** Base URL for OpenAI clients, ending in /v1. */
  baseURL: string;
  client(key?: string): OpenAI;
  /** Parsed JSON log lines written so far. */
  logs: Array<Record<string, unknown>>;
  /** The gateway's logger (lines land in `logs`). */
  logger: Logger;
  /** Waits until a request log line for `reqId` is written (stream logs come when they end). */
  logFor(reqId: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  post(path: string, body: unknown, init?: { key?: string | null; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  drainTimeout?: string;
  /** Extra YAML, inserted as is: `server` entries (flow style), top-level sections, tenants (block style, indented two spaces). */
  server?: string;
  topLevel?: string;
  tenants?: string;
  /** `policies.limits` as a YAML flow mapping. */
  limits?: string;
  /** A test file's own whole config (given the fake's URL) instead of the shared one. */
  config?: (fakeUrl: string) => string;
  /** Where spans and audit lines go instead of the configured exporters. */
  telemetry?: TelemetryOptions;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeUpstream();
  // A test file may bring its own config (given the fake's URL); this one covers the shared paths.
  // Port 9 (discard) on loopback has nothing listening: connect failures are immediate.
  const yaml = options.config?.(fake.url) ?? `
server: { host: 127.0.0.1, port: 0, drainTimeout: ${options.drainTimeout ?? '5s'}${options.server ? `, ${options.server}` : ''} }
${options.topLevel ?? ''}
logging: { level: info }
policies: { limits: ${options.limits ?? '{ maxBodyBytes: 64kb, maxMessages: 50 }'} }
providers:
  fake:
    kind: openai
    baseUrl: ${fake.url}
    apiKey: ${UPSTREAM_KEY}
    headers: { x-extra-header: extra-value }
    timeouts: { firstByte: 1500ms, idle: 1500ms, total: 10s }
  quick:
    kind: openai
    baseUrl: ${fake.url}
    apiKey: ${UPSTREAM_KEY}
    timeouts: { firstByte: 300ms, idle: 300ms, total: 5s }
  strict:
    kind: openai
    baseUrl: ${fake.url}
    apiKey: ${UPSTREAM_KEY}
    maxConnections: 1
    maxResponseBytes: 1mb
    timeouts: { firstByte: 1s, idle: 1s, total: 3s }
  nowhere:
    kind: openai
    baseUrl: http://127.0.0.1:9/v1
    apiKey: x
  keyless:
    kind: openai
    baseUrl: ${fake.url}
    apiKey: \${TOLLGATE_TEST_UNSET_KEY}
  mock: { kind: mock }
# One call per request (no retries, no breakers), so each test sees exactly one upstream
# answer; test/e2e/resilience*.test.ts cover the fallback loop with its defaults.
models:
  chat: { targets: [{ provider: fake, model: fake-model }], retries: 0, breaker: false }
  embed: { targets: [{ provider: fake, model: fake-embedding }], retries: 0, breaker: false }
  quick: { targets: [{ provider: quick, model: fake-model }], retries: 0, breaker: false }
  strict: { targets: [{ provider: strict, model: fake-model }], retries: 0, breaker: false }
  strict-embed: { targets: [{ provider: strict, model: fake-embedding }], retries: 0, breaker: false }
  unreachable: { targets: [{ provider: nowhere, model: m }], retries: 0, breaker: false }
  keyless: { targets: [{ provider: keyless, model: m }] }
  mock-chat: { targets: [{ provider: mock, model: mock-1 }] }
  vendor/with-slash: { targets: [{ provider: mock, model: mock-1 }] }
tenants:
  team-a:
    keys: ["${hashKey(TEAM_KEY)}"]
    models: [chat, embed, quick, strict, strict-embed, unreachable, keyless, mock-chat, vendor/with-slash]
  team-b:
    keys: ["${hashKey(OTHER_KEY)}"]
    models: [mock-chat]
${options.tenants ?? ''}
`;
  const loaded = parseConfig(yaml, 'e2e.yaml', {});
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line));
      for (const wake of waiters.splice(0)) wake();
      done();
    },
  });
  const logger = createLogger('info', sink);
  const gateway = await startGateway(loaded, logger, { telemetry: options.telemetry });
  const baseURL = `${gateway.url}/v1`;

  const logFor = async (reqId: string, timeoutMs = 3000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = logs.find((l) => l.reqId === reqId && typeof l.status === 'number');
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no log line for ${reqId}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };

  return {
    gateway,
    fake,
    baseURL,
    logs,
    logger,
    logFor,
    client: (key = TEAM_KEY) => new OpenAI({ baseURL, apiKey: key, maxRetries: 0, timeout: 10_000 }),
    post: (path, body, init = {}) => {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...init.headers };
      const key = init.key === undefined ? TEAM_KEY : init.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      return fetch(`${gateway.url}${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    },
    close: async () => {
      await gateway.shutdown();
      await fake.close();
    },
  };
}

/** Asserts the OpenAI error envelope and returns it. */
export async function errorOf(response: Response): Promise<{ message: string; type: string; param: string | null; code: string }> {
  const body = (await response.json()) as { error?: unknown };
  const error = body.error as { message: string; type: string; param: string | null; code: string };
  if (typeof error?.message !== 'string' || typeof error.type !== 'string' || typeof error.code !== 'string' || !('param' in error)) {
    throw new Error(`not an OpenAI error envelope: ${JSON.stringify(body)}`);
  }
  return error;
}

/** Reads an SSE response body into its data payloads (an `event:` line before one is skipped). */
export async function sseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data: '))?.slice('data: '.length))
    .filter((data): data is string => data !== undefined);
}
