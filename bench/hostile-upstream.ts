// What a hostile provider costs the gateway: peak resident memory and /healthz latency while
// it relays (or refuses) a huge non-streaming body, a 100 MB event-stream line, and many big
// but allowed embeddings answers. Nothing is asserted; it prints one table.
//
//   npx node bench/hostile-upstream.ts [--gateway-dir DIR] [--huge-mb 600] [--line-mb 100]
//                                      [--embeddings-mb 48] [--embeddings-count 12]
//
// The gateway runs from source (`node src/cli.ts serve`) in its own process, with the npm start
// Node flags and default provider settings (maxResponseBytes 64mb); `--gateway-dir` runs another
// checkout of it against the same hostile provider. The fake provider runs in this process and
// writes its answers in 64 KB pieces with backpressure, so it stays cheap.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { hashKey } from '../src/config/keys.ts';
import { startFakeUpstream, type Behaviour } from '../test/fake-upstream/index.ts';
import { readMemory, spawnNode, stopProcess, waitForHttpOk, waitForStdoutLine } from './processes.ts';
import { REPO_ROOT } from './services.ts';

const { values } = parseArgs({
  options: {
    'gateway-dir': { type: 'string', default: REPO_ROOT },
    'huge-mb': { type: 'string', default: '600' },
    'line-mb': { type: 'string', default: '100' },
    'embeddings-mb': { type: 'string', default: '48' },
    'embeddings-count': { type: 'string', default: '12' },
    port: { type: 'string', default: '8795' },
  },
});
const MB = 1024 * 1024;
const KEY = 'bench-hostile-key';
const port = Number(values.port);
const gatewayDir = values['gateway-dir'];
const nodeFlags = ((JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { config?: { nodeFlags?: string } }).config?.nodeFlags ?? '')
  .split(/\s+/)
  .filter(Boolean);

const fake = await startFakeUpstream({ record: false });
const workDir = mkdtempSync(join(tmpdir(), 'tollgate-hostile-'));
const configFile = join(workDir, 'tollgate.yaml');
writeFileSync(
  configFile,
  `server: { host: 127.0.0.1, port: ${port} }
logging: { level: warn }
providers:
  hostile: { kind: openai, baseUrl: "${fake.url}", apiKey: sk-bench-hostile-upstream, timeouts: { total: 5m, idle: 2m } }
models:
  chat: { targets: [{ provider: hostile, model: fake-model }] }
  embed: { targets: [{ provider: hostile, model: fake-embedding }] }
tenants:
  bench: { keys: ["${hashKey(KEY)}"], models: ["*"] }
`,
);

interface Gateway {
  pid: number;
  exited: () => string | undefined;
  stop(): Promise<void>;
}

async function startGateway(): Promise<Gateway> {
  const child = spawnNode([...nodeFlags, join(gatewayDir, 'src', 'cli.ts'), 'serve', '--config', configFile], {
    core: undefined,
    cwd: gatewayDir,
    env: { ...process.env, MALLOC_ARENA_MAX: '2', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await waitForHttpOk(`http://127.0.0.1:${port}/healthz`, child, 20_000);
  const exited = () => {
    if (child.exitCode === null && child.signalCode === null) return undefined;
    const why = /(ERR_\w+|RangeError[^\n]*|FATAL ERROR[^\n]*|heap out of memory)/.exec(stderr)?.[1];
    return `exited ${child.exitCode ?? child.signalCode}${why ? ` (${why})` : ''}`;
  };
  return { pid: child.pid!, exited, stop: () => stopProcess(child) };
}

// Polls /healthz every 20 ms from its own process (this one is busy being the provider and
// the client) and prints the latencies when told to stop.
const PROBE = `
const latencies = [];
let running = true;
let warmUp = 5;
process.on('SIGTERM', () => { running = false; });
while (running) {
  const started = performance.now();
  try {
    const res = await fetch(process.argv[1], { signal: AbortSignal.timeout(120000) });
    await res.arrayBuffer();
    if (warmUp > 0) { warmUp--; if (warmUp === 0) console.log('ready'); }
    else latencies.push(performance.now() - started);
  } catch { latencies.push(1e9); break; }
  await new Promise((resolve) => setTimeout(resolve, 20));
}
console.log(JSON.stringify(latencies));
`;

async function probeHealth(): Promise<{ stop(): Promise<number[]> }> {
  const child = spawnNode(['--input-type=module', '-e', PROBE, `http://127.0.0.1:${port}/healthz`], { core: undefined, cwd: REPO_ROOT });
  await waitForStdoutLine(child, /^ready$/, 10_000);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return JSON.parse(out) as number[];
    },
  };
}

async function call(path: string, body: unknown): Promise<string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(180_000),
    });
    // Only the end is kept: it holds the error code, and the client must stay cheap.
    let tail = Buffer.alloc(0);
    for await (const chunk of res.body!) tail = Buffer.concat([tail, chunk as Uint8Array]).subarray(-2048);
    const code = /"code":"(\w+)"/.exec(tail.toString())?.[1];
    return `${res.status}${code ? ` ${code}` : ''}`;
  } catch (err) {
    return `failed (${(err as Error).name})`;
  }
}

interface Scenario {
  name: string;
  behaviour: Behaviour;
  run(): Promise<string[]>;
}

const user = [{ role: 'user', content: 'hi' }];
const embeddingsCount = Number(values['embeddings-count']);
const scenarios: Scenario[] = [
  {
    name: `${values['huge-mb']} MB chat answer, chunked`,
    behaviour: { hugeBody: { bytes: Number(values['huge-mb']) * MB, declareLength: false } },
    run: async () => [await call('/v1/chat/completions', { model: 'chat', messages: user })],
  },
  {
    name: `${values['line-mb']} MB SSE data line`,
    behaviour: { giantSseLine: { bytes: Number(values['line-mb']) * MB, finish: true } },
    run: async () => [await call('/v1/chat/completions', { model: 'chat', stream: true, messages: user })],
  },
  {
    name: `${embeddingsCount} × ${values['embeddings-mb']} MB embeddings, 4 at a time`,
    behaviour: { hugeBody: { bytes: Number(values['embeddings-mb']) * MB, shape: 'embeddings' } },
    run: async () => {
      const outcomes: string[] = [];
      for (let i = 0; i < embeddingsCount; i += 4) {
        const batch = Array.from({ length: Math.min(4, embeddingsCount - i) }, () => call('/v1/embeddings', { model: 'embed', input: 'x' }));
        outcomes.push(...(await Promise.all(batch)));
      }
      return outcomes;
    },
  },
];

// The probe records 1e9 when /healthz stopped answering (the gateway died).
const ms = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v >= 1e9 ? 'down' : `${v.toFixed(v < 100 ? 1 : 0)} ms`);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
const rows: string[] = [];
let gateway = await startGateway();
for (const scenario of scenarios) {
  if (gateway.exited()) gateway = await startGateway();
  fake.setDefault(scenario.behaviour);
  // Reset the peak-RSS mark so each scenario reports its own peak.
  writeFileSync(`/proc/${gateway.pid}/clear_refs`, '5');
  const before = readMemory(gateway.pid);
  const probe = await probeHealth();
  const started = performance.now();
  const outcomes = await scenario.run();
  const seconds = (performance.now() - started) / 1000;
  const latencies = (await probe.stop()).sort((a, b) => a - b);
  const after = readMemory(gateway.pid);
  const exited = gateway.exited();
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  rows.push(
    `| ${scenario.name} | ${[...counts].map(([o, n]) => (n > 1 ? `${n}× ${o}` : o)).join(', ')}${exited ? `; gateway ${exited}` : ''} | ${seconds.toFixed(1)} s | ` +
      `${before?.rssMiB.toFixed(0)} → ${exited ? '–' : `${after?.peakRssMiB.toFixed(0)} MiB`} | ` +
      `${[percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.at(-1)!].map(ms).join(' / ')} |`,
  );
  fake.setDefault({});
}
await gateway.stop();
await fake.close();

console.log(`Gateway: ${gatewayDir}\n`);
console.log('| scenario | outcome | time | RSS before → peak | /healthz p50 / p99 / max |');
console.log('| --- | --- | --: | --: | --: |');
for (const row of rows) console.log(row);
