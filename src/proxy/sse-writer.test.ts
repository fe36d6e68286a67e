import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../providers/types.ts';
import { GatewayError } from './errors.ts';
import { sseBody } from './sse-writer.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const event = (data: string) => ({ data }) as SseEvent;

/** A source of `count` events (endless when undefined) that records whether it was cancelled. */
function source(count?: number, options: { hangAfter?: number; failWith?: Error } = {}) {
  const state = { returned: false, sent: 0 };
  const iterable: AsyncIterable<SseEvent> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (options.hangAfter !== undefined && state.sent >= options.hangAfter) return new Promise<never>(() => {});
        if (count !== undefined && state.sent >= count) {
          if (options.failWith) throw options.failWith;
          return { done: true, value: undefined };
        }
        state.sent++;
        return { done: false, value: event(`e${state.sent}`) };
      },
      return: async () => {
        state.returned = true;
        return { done: true, value: undefined };
      },
    }),
  };
  return { iterable, state };
}

async function text(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('sseBody', () => {
  it('ends a finished stream with [DONE]', async () => {
    expect(await text(sseBody(source(2).iterable, new AbortController().signal))).toBe('data: e1\n\ndata: e2\n\ndata: [DONE]\n\n');
  });

  it('ends a failed stream with an error event and no [DONE]', async () => {
    const { iterable } = source(1, { failWith: new GatewayError('upstream_timeout', 'too slow') });
    const body = await text(sseBody(iterable, new AbortController().signal));
    expect(body).toContain('data: e1\n\n');
    expect(body).toContain('"code":"upstream_timeout"');
    expect(body).not.toContain('[DONE]');
  });

  it('on stop, ends a stream waiting on its source with shutting_down and cancels the source', async () => {
    const { iterable, state } = source(undefined, { hangAfter: 1 });
    const stop = new AbortController();
    const reading = text(sseBody(iterable, stop.signal));
    await new Promise((resolve) => setTimeout(resolve, 10));
    stop.abort();
    const body = await reading;
    expect(body).toMatch(/^data: e1\n\ndata: \{"error":.*"code":"shutting_down"/);
    expect(state.returned).toBe(true);
  });

  it('cancelling the body cancels the source', async () => {
    const { iterable, state } = source();
    const reader = sseBody(iterable, new AbortController().signal).getReader();
    await reader.read();
    await reader.cancel();
    expect(state.returned).toBe(true);
  });

  it('runs in constant memory however many events pass', async () => {
    const { iterable } = source();
    const reader = sseBody(iterable, new AbortController().signal).getReader();
    const readMany = async (n: number) => {
      for (let i = 0; i < n; i++) await reader.read();
    };
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    await readMany(5_000);
    const before = heap();
    await readMany(200_000);
    const grown = heap() - before;
    await reader.cancel();
    // Retaining even 100 bytes per event would be 20 MB here.
    expect(grown).toBeLessThan(5 * 1024 * 1024);
  });
});
