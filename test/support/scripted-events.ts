import type { SseEvent } from '../../src/providers/types.ts';

// Test doubles for event streams: a hand-written source that records how it was driven
// (so tests can see that `return()` reached it), and a helper that reads a stream to the end.

export function scriptedEvents(datas: string[], failAfter?: unknown) {
  let i = 0;
  const calls = { next: 0, return: 0 };
  const iterator: AsyncIterableIterator<SseEvent> = {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      calls.next++;
      if (i < datas.length) return { done: false, value: { data: datas[i++]! } };
      if (failAfter !== undefined) throw failAfter;
      return { done: true, value: undefined };
    },
    async return() {
      calls.return++;
      return { done: true, value: undefined };
    },
  };
  return { iterator, calls };
}

export async function readAllData(events: AsyncIterable<SseEvent>): Promise<string[]> {
  const out: string[] = [];
  for await (const event of events) out.push(event.data);
  return out;
}
