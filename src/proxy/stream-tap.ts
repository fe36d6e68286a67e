import type { SseEvent } from '../providers/types.ts';

// Wraps a stream of events to look at (or change, or drop) each one and to learn, exactly
// once, how the stream ended. Written as a plain iterator rather than a generator so that
// `return()` always reaches the source, even before the first event was read: that is
// what cancels the upstream request when a client goes away early.

export interface StreamEnd {
  /** The failure, if the stream failed. */
  readonly error?: unknown;
  /** The consumer stopped early (the client went away). */
  readonly cancelled: boolean;
}

export interface TapHooks {
  /** Return the event to pass on (possibly changed), or undefined to drop it. */
  map?(event: SseEvent): SseEvent | undefined;
  end(outcome: StreamEnd): void;
}

export function tapStream(source: AsyncIterable<SseEvent>, hooks: TapHooks): AsyncIterableIterator<SseEvent> {
  const inner = source[Symbol.asyncIterator]();
  let ended = false;
  const end = (outcome: StreamEnd) => {
    if (ended) return;
    ended = true;
    hooks.end(outcome);
  };
  const map = hooks.map;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<SseEvent>> {
      try {
        for (;;) {
          const step = await inner.next();
          if (step.done) {
            end({ cancelled: false });
            return step;
          }
          const value = map === undefined ? step.value : map(step.value);
          if (value !== undefined) return { done: false, value };
        }
      } catch (error) {
        end({ error, cancelled: false });
        throw error;
      }
    },
    async return(): Promise<IteratorResult<SseEvent>> {
      end({ cancelled: true });
      await inner.return?.();
      return { done: true, value: undefined };
    },
  };
}

/** Puts an already-received first event back in front of the rest of its stream. */
export function withFirst(first: SseEvent, rest: AsyncIterator<SseEvent>): AsyncIterableIterator<SseEvent> {
  let pending: SseEvent | undefined = first;
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next(): Promise<IteratorResult<SseEvent>> {
      if (pending === undefined) return rest.next();
      const value = pending;
      pending = undefined;
      return Promise.resolve({ done: false, value });
    },
    async return(): Promise<IteratorResult<SseEvent>> {
      pending = undefined;
      await rest.return?.();
      return { done: true, value: undefined };
    },
  };
}
