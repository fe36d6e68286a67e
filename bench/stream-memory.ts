// Heap growth of one long stream through sseBody: how many bytes each relayed event leaves
// behind once the garbage collector has run. A stream must run in constant memory.
// Run: npx node --expose-gc bench/stream-memory.ts [events]

import { sseBody } from '../src/proxy/sse-writer.ts';
import type { SseEvent } from '../src/providers/types.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const events = Number(process.argv[2] ?? 400_000);
const event: SseEvent = { data: '{"choices":[{"delta":{"content":"hi"}}]}' } as SseEvent;

/** An endless source, like a provider that never stops talking. */
const source: AsyncIterable<SseEvent> = {
  [Symbol.asyncIterator]: () => ({ next: async () => ({ done: false, value: event }), return: async () => ({ done: true, value: undefined }) }),
};

const stop = new AbortController(); // never fires: the drain timeout of a long-running gateway
const reader = sseBody(source, stop.signal).getReader();

async function readEvents(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await reader.read();
}

function heapMb(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

await readEvents(10_000); // warm up
const before = heapMb();
const started = performance.now();
await readEvents(events);
const seconds = (performance.now() - started) / 1000;
const after = heapMb();
await reader.cancel();
console.log(
  JSON.stringify({
    events,
    heapBeforeMb: round(before),
    heapAfterMb: round(after),
    bytesPerEvent: round(((after - before) * 1024 * 1024) / events),
    eventsPerSecond: Math.round(events / seconds),
  }),
);

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
