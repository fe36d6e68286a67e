// Standalone fake upstream for benchmarks and manual poking:
//   node test/fake-upstream/cli.ts --port 9100 [--host 127.0.0.1] [--chunks 8] [--chunk-delay-ms 0] [--latency-ms 0]
// Prints one "listening" line once ready. Requests are not recorded, so memory stays flat under load.
import { parseArgs } from 'node:util';
import { startFakeUpstream } from './server.ts';
import type { Behaviour } from './types.ts';

function nonNegativeNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`fake-upstream: --${name} must be a non-negative number, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '9100' },
    host: { type: 'string', default: '127.0.0.1' },
    chunks: { type: 'string' },
    'chunk-delay-ms': { type: 'string' },
    'latency-ms': { type: 'string' },
  },
  strict: true,
});

const behaviour: Behaviour = {};
const chunks = nonNegativeNumber('chunks', values.chunks);
const chunkDelayMs = nonNegativeNumber('chunk-delay-ms', values['chunk-delay-ms']);
const latencyMs = nonNegativeNumber('latency-ms', values['latency-ms']);
if (chunks !== undefined) behaviour.chunks = Math.max(1, Math.floor(chunks));
if (chunkDelayMs) behaviour.chunkDelayMs = chunkDelayMs;
if (latencyMs) behaviour.latencyMs = latencyMs;

const fake = await startFakeUpstream({ port: nonNegativeNumber('port', values.port), host: values.host, record: false });
fake.setDefault(behaviour);
console.log(`fake-upstream listening on ${fake.url}`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await fake.close();
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
