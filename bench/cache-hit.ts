// Latency of a response-cache hit against a miss, through the real gateway (in this
// process) in front of the fake upstream answering at once: the miss pays the gateway's
// upstream path, the hit only the lookup and replay. Also the cost of keying a 4 MB body.
// Run: npx node bench/cache-hit.ts [requests]

import { Writable } from 'node:stream';
import { cacheKeyOf } from '../src/cache/canonical-key.ts';
import { hashKey } from '../src/config/keys.ts';
import { parseConfig } from '../src/config/load.ts';
import { startGateway } from '../src/main.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { startFakeUpstream } from '../test/fake-upstream/index.ts';

const requests = Number(process.argv[2] ?? 2_000);
const fake = await startFakeUpstream({ record: false });
const yaml = `
server: { host: 127.0.0.1, port: 0 }
logging: { requests: false }
cache: { kind: memory, ttl: 1h, maxBytes: 64mb }
providers: { fake: { kind: openai, baseUrl: ${fake.url}, apiKey: sk-x } }
models: { chat: { targets: [{ provider: fake, model: fake-model }], retries: 0, breaker: false } }
tenants: { bench: { keys: ["${hashKey('bench-key')}"], models: ["*"] } }
`;
const silent = new Writable({ write: (_c, _e, done) => done() });
const gateway = await startGateway(parseConfig(yaml, 'bench.yaml', {}), createLogger('warn', silent));

const body = (i: number, stream: boolean) =>
  JSON.stringify({ model: 'chat', temperature: 0, stream, messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: `question ${i}` }] });

async function timed(payload: string, headers: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer bench-key', 'content-type': 'application/json', ...headers },
    body: payload,
  });
  await response.arrayBuffer();
  return performance.now() - started;
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 1000) / 1000;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

const results: Record<string, unknown> = { requests };
for (const stream of [false, true]) {
  for (let i = 0; i < 200; i++) await timed(body(-i - 1, stream)); // warm up
  const miss: number[] = [];
  const hit: number[] = [];
  for (let i = 0; i < requests; i++) {
    miss.push(await timed(body(i, stream), { 'cache-control': 'no-cache' }));
    hit.push(await timed(body(i, stream)));
  }
  results[stream ? 'streamMissMs' : 'jsonMissMs'] = summary(miss);
  results[stream ? 'streamHitMs' : 'jsonHitMs'] = summary(hit);
}

const big = { model: 'chat', temperature: 0, messages: [{ role: 'user', content: 'x'.repeat(4 * 1024 * 1024) }] };
const keyStarted = performance.now();
for (let i = 0; i < 10; i++) cacheKeyOf({ scope: 'tenant:bench', endpoint: 'chat', alias: 'chat', body: big });
results.key4MbBodyMs = Math.round(((performance.now() - keyStarted) / 10) * 100) / 100;

console.log(JSON.stringify(results, null, 2));
await gateway.shutdown();
await fake.close();
