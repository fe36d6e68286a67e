import type { SseEvent } from '../../providers/types.ts';
import type { AnswerMeta } from './approval-answers.ts';
import { StreamedCalls, type TurnCalls } from './held-calls.ts';

// Holds a stream's tool calls back until the turn is known. Text passes through as it
// comes. Tool-call deltas are held (the whole turn: a later call may need approval, and
// the agent must never run half a plan) until the choice finishes; then either the held
// deltas and the finish go out as received, or, when some call needs approval, none of
// them does and `withhold` supplies the closing events (a note and `finish_reason: stop`).
// Held bytes are bounded by `maxHeldBytes`: past it, held deltas of calls that need no
// approval are let through (a call that needs approval is still withheld).

const MAY_MATTER = /"tool_calls"|"finish_reason"\s*:\s*"/;

export interface HoldStreamOptions {
  readonly needsApproval: (name: string) => boolean;
  readonly maxHeldBytes: number;
  /** Called once when a turn is withheld; returns the events that end it for the client. */
  readonly withhold: (turn: TurnCalls, meta: AnswerMeta) => Promise<SseEvent[]>;
}

export function holdToolCalls(source: AsyncIterable<SseEvent>, options: HoldStreamOptions): AsyncIterableIterator<SseEvent> {
  const inner = source[Symbol.asyncIterator]();
  const calls = new StreamedCalls(options.maxHeldBytes);
  const out: SseEvent[] = [];
  let held: SseEvent[] = [];
  let heldBytes = 0;
  let withholding = false;
  let closed = false;
  let ended = false;
  const meta: { id?: string; created?: number; model: string } = { model: '' };

  const close = async () => {
    if (closed) return;
    closed = true;
    if (withholding) out.push(...(await options.withhold(calls.finish(), meta)));
    else out.push(...held);
    held = [];
  };

  const consider = async (event: SseEvent): Promise<void> => {
    if (!MAY_MATTER.test(event.data)) return void out.push(event);
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      // A malformed chunk is the provider's problem, relayed as is.
      return void out.push(event);
    }
    if (typeof chunk.id === 'string') meta.id = chunk.id;
    if (typeof chunk.model === 'string') meta.model = chunk.model;
    if (typeof chunk.created === 'number') meta.created = chunk.created;
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as Array<Record<string, unknown>>) : [];
    const hasCalls = choices.some((c) => c !== null && typeof c === 'object' && Array.isArray((c.delta as Record<string, unknown> | undefined)?.tool_calls));
    const finishes = choices.some((c) => c !== null && typeof c === 'object' && typeof c.finish_reason === 'string');
    if (hasCalls) {
      calls.feed(chunk);
      if (!withholding && calls.names().some(options.needsApproval)) {
        withholding = true;
        held = [];
      }
      if (!withholding) {
        held.push(event);
        heldBytes += event.data.length;
        if (heldBytes > options.maxHeldBytes) {
          out.push(...held);
          held = [];
          heldBytes = 0;
        }
      }
    }
    if (finishes) {
      await close();
      // The finish of a withheld turn is replaced by the closing events.
      if (!withholding) out.push(event);
    } else if (!hasCalls) {
      out.push(event);
    }
  };

  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<SseEvent>> {
      for (;;) {
        const ready = out.shift();
        if (ready !== undefined) return { done: false, value: ready };
        if (ended) return { done: true, value: undefined };
        const step = await inner.next();
        if (step.done) {
          // A stream that ended without a finish still gets its turn decided.
          ended = true;
          await close();
          continue;
        }
        await consider(step.value);
      }
    },
    async return(): Promise<IteratorResult<SseEvent>> {
      held = [];
      out.length = 0;
      await inner.return?.();
      return { done: true, value: undefined };
    },
  };
}
