import { Writable } from 'node:stream';
import { parseConfig } from '../../src/config/load.ts';
import { hashKey } from '../../src/config/keys.ts';
import { startGateway, type Gateway } from '../../src/main.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

// Starts the real gateway with a test's own `providers` and `models` sections (and
// optionally `state`), one tenant allowed every model, and its log lines captured.

export const KEY = 'tg-resilience-key';

export interface TestGateway {
  gateway: Gateway;
  logs: Array<Record<string, unknown>>;
  post(body: unknown, headers?: Record<string, string>, signal?: AbortSignal): Promise<Response>;
  logFor(reqId: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startGatewayWith(sections: string): Promise<TestGateway> {
  const yaml = `
server: { host: 127.0.0.1, port: 0, drainTimeout: 1s }
logging: { level: info }
${sections}
tenants:
  team:
    keys: ["${hashKey(KEY)}"]
    models: ["*"]
`;
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line));
      done();
    },
  });
  const gateway = await startGateway(parseConfig(yaml, 'test.yaml', {}), createLogger('info', sink));
  return {
    gateway,
    logs,
    post: (body, headers = {}, signal) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        signal,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
        body: JSON.stringify(body),
      }),
    logFor: async (reqId) => {
      for (let i = 0; i < 100; i++) {
        const line = logs.find((l) => l.reqId === reqId && typeof l.status === 'number');
        if (line) return line;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no log line for ${reqId}`);
    },
    close: () => gateway.shutdown(),
  };
}
