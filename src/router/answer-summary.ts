import { createHash, type Hash } from 'node:crypto';
import type { SseEvent } from '../providers/types.ts';

// What two chat answers are compared on: the text of the first choice (as a digest, so a
// long stream costs no memory) and its tool calls (name and arguments, the arguments
// parsed and re-written with sorted keys so formatting and key order do not count).
// Streams are assembled from their deltas, within fixed bounds.

export interface AnswerSummary {
  /** sha256 of the first choice's text. */
  readonly textDigest: string;
  /** Canonical `name(arguments)` of each tool call, sorted; undefined when too large to compare. */
  readonly toolCalls: readonly string[] | undefined;
}

const MAX_TOOL_CALLS = 128;
const MAX_ARGUMENT_CHARS = 1024 * 1024;
const MAX_DEPTH = 64;

/** Summarises a non-streaming chat completion body. */
export function summarizeCompletion(body: unknown): AnswerSummary {
  const message = firstChoice(body)?.message as { content?: unknown; tool_calls?: unknown } | undefined;
  const hash = createHash('sha256');
  if (typeof message?.content === 'string') hash.update(message.content);
  const calls: Array<{ name: string; args: string }> = [];
  if (Array.isArray(message?.tool_calls)) {
    for (const call of message.tool_calls.slice(0, MAX_TOOL_CALLS + 1)) {
      const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
      calls.push({ name: typeof fn?.name === 'string' ? fn.name : '', args: typeof fn?.arguments === 'string' ? fn.arguments : '' });
    }
  }
  return { textDigest: hash.digest('hex'), toolCalls: canonicalCalls(calls) };
}

/** Assembles a streamed answer's first choice from its chunks, as they pass. */
export class StreamedAnswer {
  readonly #hash: Hash = createHash('sha256');
  readonly #calls: Array<{ name: string; args: string }> = [];
  #argumentChars = 0;
  #tooLarge = false;

  add(event: SseEvent): void {
    if (!event.data.includes('"delta"')) return;
    let chunk: unknown;
    try {
      chunk = JSON.parse(event.data);
    } catch {
      return;
    }
    const delta = firstChoice(chunk)?.delta as { content?: unknown; tool_calls?: unknown } | undefined;
    if (typeof delta?.content === 'string') this.#hash.update(delta.content);
    if (Array.isArray(delta?.tool_calls)) for (const piece of delta.tool_calls) this.#addCallPiece(piece);
  }

  summary(): AnswerSummary {
    return { textDigest: this.#hash.copy().digest('hex'), toolCalls: this.#tooLarge ? undefined : canonicalCalls(this.#calls) };
  }

  #addCallPiece(piece: unknown): void {
    const p = piece as { index?: unknown; function?: { name?: unknown; arguments?: unknown } } | null;
    const index = typeof p?.index === 'number' ? p.index : this.#calls.length;
    if (!Number.isInteger(index) || index < 0 || index >= MAX_TOOL_CALLS) {
      this.#tooLarge = true;
      return;
    }
    while (this.#calls.length <= index) this.#calls.push({ name: '', args: '' });
    const call = this.#calls[index]!;
    if (typeof p?.function?.name === 'string') call.name += p.function.name;
    const args = p?.function?.arguments;
    if (typeof args === 'string' && !this.#tooLarge) {
      this.#argumentChars += args.length;
      if (this.#argumentChars > MAX_ARGUMENT_CHARS) this.#tooLarge = true;
      else call.args += args;
    }
  }
}

/** Whether two answers have the same tool calls; undefined when either could not be compared. */
export function sameToolCalls(a: AnswerSummary, b: AnswerSummary): boolean | undefined {
  if (a.toolCalls === undefined || b.toolCalls === undefined) return undefined;
  return a.toolCalls.length === b.toolCalls.length && a.toolCalls.every((call, i) => call === b.toolCalls![i]);
}

function canonicalCalls(calls: ReadonlyArray<{ name: string; args: string }>): string[] | undefined {
  if (calls.length > MAX_TOOL_CALLS) return undefined;
  let chars = 0;
  for (const call of calls) chars += call.args.length;
  if (chars > MAX_ARGUMENT_CHARS) return undefined;
  return calls.map((call) => `${call.name}(${canonicalArguments(call.args)})`).sort();
}

/** Arguments as JSON with sorted keys; text that is not JSON (or is absurdly deep) as it is. */
export function canonicalArguments(args: string): string {
  try {
    return canonicalJson(JSON.parse(args), 0);
  } catch {
    return args;
  }
}

function canonicalJson(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new RangeError('too deep');
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function firstChoice(body: unknown): Record<string, unknown> | undefined {
  const choices = (body as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices)) return undefined;
  // A chunk of an n>1 stream may carry only other choices: take index 0, or an unindexed first.
  const first = choices.find((c) => (c as { index?: unknown } | null)?.index === 0) ?? choices[0];
  if (first === null || typeof first !== 'object') return undefined;
  const index = (first as { index?: unknown }).index;
  return index === undefined || index === 0 ? (first as Record<string, unknown>) : undefined;
}
