// How long hostile request bodies block the gateway's event loop: a ~4 MB body of 350,000
// keys, 99,000 keys, as many spread within the default limits, a million empty arrays, a 10,000-level
// nested body, and eight of the wide ones at once while /healthz is polled. The gateway
// runs in this process, in front of the fake upstream in a child process (so the OpenAI
// adapter's serialisation is on the path, and the upstream's own parsing is not counted);
// the event-loop delay histogram is reset after each body is built, so only the gateway's
// work is counted. Nothing is asserted.
//
//   npx node bench/hostile-bodies.ts
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { hashKey } from '../src/config/keys.ts';
import { parseConfig } from '../src/config/load.ts';
import { startGateway } from '../src/main.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { spawnNode, stopProcess, waitForStdoutLine } from './processes.ts';
import { REPO_ROOT } from './services.ts';

const KEY = 'bench-hostile-key';
const utf8 = (text: string) => new TextEncoder().encode(text);
const MESSAGES = '"messages":[{"role":"user","content":"hi"}]';

function wideBody(keys: number): Uint8Array<ArrayBuffer> {
  const parts: string[] = [];
  for (let i = 0; i < keys; i++) parts.push(`"k${i}":0`);
  return utf8(`{"model":"chat",${MESSAGES},${parts.join(',')}}`);
}

function spreadBody(objects: number, keysEach: number): Uint8Array<ArrayBuffer> {
  const object = `{${Array.from({ length: keysEach }, (_, i) => `"k${i}":0`).join(',')}}`;
  return utf8(`{"model":"chat",${MESSAGES},"x":[${Array.from({ length: objects }, () => object).join(',')}]}`);
}

function containersBody(count: number): Uint8Array<ArrayBuffer> {
  return utf8(`{"model":"chat",${MESSAGES},"x":[${Array.from({ length: count }, () => '[]').join(',')}]}`);
}

function deepBody(depth: number): Uint8Array<ArrayBuffer> {
  return utf8(`{"model":"chat",${MESSAGES},"x":${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

const upstream = spawnNode([join(REPO_ROOT, 'test', 'fake-upstream', 'cli.ts'), '--port', '0'], { core: undefined, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
const upstreamUrl = /listening on (\S+)/.exec(await waitForStdoutLine(upstream, /fake-upstream listening on/, 15_000))![1]!;
upstream.stdout?.resume();
const yaml = `
server: { host: 127.0.0.1, port: 0 }
logging: { level: silent }
providers:
  fake: { kind: openai, baseUrl: ${upstreamUrl}, apiKey: upstream-key }
models:
  chat: { targets: [{ provider: fake, model: fake-model }] }
tenants:
  bench: { keys: ["${hashKey(KEY)}"], models: ["*"] }
`;
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
const gateway = await startGateway(parseConfig(yaml, 'bench.yaml', {}), createLogger('silent', discard));
const histogram = monitorEventLoopDelay({ resolution: 1 });
histogram.enable();

const post = async (body: Uint8Array<ArrayBuffer>) => {
  const res = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body,
  });
  const text = await res.text();
  return { status: res.status, text };
};

const ms = (ns: number) => (ns / 1e6).toFixed(0);

async function single(name: string, body: Uint8Array<ArrayBuffer>): Promise<void> {
  await post(body); // warm up the JIT on this shape
  histogram.reset();
  const started = performance.now();
  const { status, text } = await post(body);
  const wall = performance.now() - started;
  const code = status === 200 ? '' : ` ${(JSON.parse(text) as { error?: { code?: string } }).error?.code ?? ''}`;
  console.log(`| ${name} | ${(body.length / 1e6).toFixed(2)} MB | ${status}${code} | ${wall.toFixed(0)} ms | ${ms(histogram.max)} ms |`);
}

async function concurrent(name: string, body: Uint8Array<ArrayBuffer>, count: number): Promise<void> {
  histogram.reset();
  let worstHealth = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const started = performance.now();
      await fetch(`${gateway.url}/healthz`).then((r) => r.text());
      worstHealth = Math.max(worstHealth, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
  const started = performance.now();
  const replies = await Promise.all(Array.from({ length: count }, () => post(body)));
  const wall = performance.now() - started;
  polling = false;
  await poll;
  const statuses = [...new Set(replies.map((r) => r.status))].join('/');
  console.log(`| ${name} | ${count} × ${(body.length / 1e6).toFixed(2)} MB | ${statuses} | ${wall.toFixed(0)} ms | ${ms(histogram.max)} ms; worst /healthz ${worstHealth.toFixed(0)} ms |`);
}

console.log('| body | size | status | wall time | longest event-loop stall |');
console.log('| --- | --: | --- | --: | --: |');
const wide = wideBody(350_000);
await single('350,000 top-level keys', wide);
await single('99,000 top-level keys', wideBody(99_000));
await single('9,990 keys in each of 10 objects (within the default limits)', spreadBody(10, 9_990));
await single('1,000,000 empty arrays', containersBody(1_000_000));
await single('10,000 levels deep', deepBody(10_000));
await single('polite (one message)', utf8(`{"model":"chat",${MESSAGES}}`));
await concurrent('350,000 keys, concurrently', wide, 8);

histogram.disable();
await gateway.shutdown();
await stopProcess(upstream);
