import type { SseEvent } from '../../providers/types.ts';
import { ToolCallAssembler, type ProposedToolCall } from './tool-calls.ts';

// Watches a chat stream for the tool calls the model proposes. Only chunks that carry tool
// call deltas are parsed (found by a cheap text test first); every event is passed on as
// received. When the stream ends normally, `settle` runs before the end reaches the client,
// so the agent's next step already sees this one recorded. A failed or abandoned stream is
// settled in the background (nobody waits for its end).

const HAS_TOOL_CALLS = /"tool_calls"\s*:\s*\[/;

export function watchToolCalls(
  source: AsyncIterable<SseEvent>,
  settle: (calls: ProposedToolCall[]) => Promise<void>,
): AsyncIterableIterator<SseEvent> {
  const inner = source[Symbol.asyncIterator]();
  const assembler = new ToolCallAssembler();
  let settled: Promise<void> | undefined;
  const finish = () => (settled ??= settle(assembler.finish()));
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<SseEvent>> {
      let step: IteratorResult<SseEvent>;
      try {
        step = await inner.next();
      } catch (error) {
        void finish();
        throw error;
      }
      if (step.done) {
        await finish();
        return step;
      }
      if (HAS_TOOL_CALLS.test(step.value.data)) {
        try {
          assembler.feed(JSON.parse(step.value.data));
        } catch {
          // A malformed chunk is the provider's problem, relayed as is; it proposes nothing here.
        }
      }
      return step;
    },
    async return(): Promise<IteratorResult<SseEvent>> {
      void finish();
      await inner.return?.();
      return { done: true, value: undefined };
    },
  };
}
