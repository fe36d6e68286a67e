import type { HeldToolCall } from './approval-types.ts';

// The tool calls of a model turn, kept whole (id, name, arguments) so an approved turn can
// be released exactly as proposed. Bounded: at most MAX_CALLS calls, names cut to 128
// characters; arguments are collected up to a byte budget, past which the turn is marked
// too large (it is then refused, never held or released in part).

export const MAX_CALLS = 64;
const MAX_NAME_CHARS = 128;

export interface TurnCalls {
  readonly calls: HeldToolCall[];
  /** Some arguments went over the budget and were not kept. */
  readonly tooLarge: boolean;
}

/** The calls of a non-streamed completion's choices. */
export function callsOfCompletion(body: unknown, maxArgumentBytes: number): TurnCalls {
  const calls: HeldToolCall[] = [];
  let bytes = 0;
  let tooLarge = false;
  for (const choice of arrayAt(body, 'choices')) {
    for (const call of arrayAt(isRecord(choice) ? choice.message : undefined, 'tool_calls')) {
      if (calls.length >= MAX_CALLS || !isRecord(call) || !isRecord(call.function)) continue;
      const fn = call.function;
      const args = typeof fn.arguments === 'string' ? fn.arguments : '';
      bytes += Buffer.byteLength(args);
      if (bytes > maxArgumentBytes) tooLarge = true;
      calls.push({ id: typeof call.id === 'string' ? call.id.slice(0, 128) : `call_${calls.length}`, name: nameOf(fn.name), arguments: tooLarge ? '' : args });
    }
  }
  return { calls, tooLarge };
}

interface Assembling {
  id: string;
  name: string;
  args: string;
}

/** Streamed tool calls put back together (`choices[].delta.tool_calls[]`, keyed by choice and index). */
export class StreamedCalls {
  readonly #calls = new Map<string, Assembling>();
  readonly #maxBytes: number;
  #bytes = 0;
  #tooLarge = false;

  constructor(maxArgumentBytes: number) {
    this.#maxBytes = maxArgumentBytes;
  }

  /** Feeds one parsed chunk; returns the names of calls seen so far. */
  feed(chunk: unknown): void {
    for (const choice of arrayAt(chunk, 'choices')) {
      if (!isRecord(choice)) continue;
      const choiceIndex = typeof choice.index === 'number' ? choice.index : 0;
      for (const delta of arrayAt(choice.delta, 'tool_calls')) {
        if (!isRecord(delta) || typeof delta.index !== 'number') continue;
        const key = `${choiceIndex}:${delta.index}`;
        let call = this.#calls.get(key);
        if (call === undefined) {
          if (this.#calls.size >= MAX_CALLS) continue;
          call = { id: '', name: '', args: '' };
          this.#calls.set(key, call);
        }
        const fn = isRecord(delta.function) ? delta.function : {};
        const header = typeof delta.id === 'string' && delta.id !== '';
        if (header) call.id = (delta.id as string).slice(0, 128);
        // Some servers repeat the id and whole name on every delta: a header replaces, a piece appends.
        if (typeof fn.name === 'string') call.name = nameOf(header ? fn.name : call.name + fn.name);
        if (typeof fn.arguments === 'string' && fn.arguments !== '' && !this.#tooLarge) {
          this.#bytes += Buffer.byteLength(fn.arguments);
          if (this.#bytes > this.#maxBytes) this.#tooLarge = true;
          else call.args += fn.arguments;
        }
      }
    }
  }

  names(): string[] {
    return [...this.#calls.values()].map((c) => c.name);
  }

  finish(): TurnCalls {
    const calls = [...this.#calls.values()].map((c, i) => ({ id: c.id || `call_${i}`, name: c.name, arguments: this.#tooLarge ? '' : c.args }));
    return { calls, tooLarge: this.#tooLarge };
  }
}

const nameOf = (name: unknown) => (typeof name === 'string' ? name.slice(0, MAX_NAME_CHARS) : '');

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function arrayAt(holder: unknown, field: string): readonly unknown[] {
  const value = isRecord(holder) ? holder[field] : undefined;
  return Array.isArray(value) ? value : [];
}
