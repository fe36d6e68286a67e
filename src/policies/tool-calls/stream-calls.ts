import type { AssembledCall } from './feedback.ts';
import { isRecord } from './validate.ts';

// Streamed tool calls put back together, one call per (choice, index): the id and name come
// in the call's first delta, the arguments in pieces. Bounded: arguments past
// `maxArgumentBytes` are not kept (the call is then invalid), and calls past `maxCalls`
// are not tracked (the answer is then invalid).

export interface StreamedCall extends AssembledCall {
  readonly choice: number;
  readonly index: number;
  /** Its arguments grew past the limit and were dropped. */
  readonly overflow: boolean;
}

interface Building {
  readonly choice: number;
  readonly index: number;
  id: string;
  name: string;
  arguments: string;
  overflow: boolean;
  /** In the order the calls started. */
  readonly order: number;
}

export class StreamedCalls {
  readonly #calls = new Map<string, Building>();
  readonly #maxArgumentBytes: number;
  readonly #maxCalls: number;
  #started = 0;
  /** More calls than tracked were started. */
  tooMany = false;

  constructor(maxArgumentBytes: number, maxCalls: number) {
    this.#maxArgumentBytes = maxArgumentBytes;
    this.#maxCalls = maxCalls;
  }

  /**
   * Feeds the tool-call deltas of one choice; returns the keys of calls that a later call of
   * the same choice has just started after (OpenAI streams one call after another).
   */
  feed(choice: number, deltas: readonly unknown[]): string[] {
    const superseded: string[] = [];
    for (const delta of deltas) {
      if (!isRecord(delta) || typeof delta.index !== 'number') continue;
      const key = `${choice}:${delta.index}`;
      let call = this.#calls.get(key);
      if (call === undefined) {
        if (this.#started >= this.#maxCalls) {
          this.tooMany = true;
          continue;
        }
        for (const [k, other] of this.#calls) if (other.choice === choice && other.index < delta.index) superseded.push(k);
        call = { choice, index: delta.index, id: '', name: '', arguments: '', overflow: false, order: this.#started++ };
        this.#calls.set(key, call);
      }
      if (typeof delta.id === 'string' && delta.id !== '') call.id = delta.id.slice(0, 128);
      const fn = isRecord(delta.function) ? delta.function : {};
      // Some servers repeat the whole name on every delta with the id: a repeat replaces, a piece appends.
      if (typeof fn.name === 'string') call.name = (typeof delta.id === 'string' && delta.id !== '' ? fn.name : call.name + fn.name).slice(0, 256);
      if (typeof fn.arguments === 'string' && !call.overflow) {
        if (call.arguments.length + fn.arguments.length > this.#maxArgumentBytes) {
          call.overflow = true;
          call.arguments = '';
        } else call.arguments += fn.arguments;
      }
    }
    return superseded;
  }

  /** Removes and returns the calls named (or, without keys, of `choice`, or all), in the order they started. */
  take(filter: { keys?: readonly string[]; choice?: number }): StreamedCall[] {
    const taken: Building[] = [];
    for (const [key, call] of this.#calls) {
      const wanted = filter.keys !== undefined ? filter.keys.includes(key) : filter.choice === undefined || call.choice === filter.choice;
      if (wanted) {
        taken.push(call);
        this.#calls.delete(key);
      }
    }
    return taken.sort((a, b) => a.order - b.order);
  }
}
