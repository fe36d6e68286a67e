import { createHash, type Hash } from 'node:crypto';
import { canonicalJson } from './canonical-json.ts';

// The tool calls a model proposed, reduced to what the run guards need: the tool's name and
// a hash of its canonical arguments (never the arguments themselves). Arguments are JSON
// text written by a model: parsed, they are compared in canonical form; text that does not
// parse is compared trimmed; arguments longer than MAX_ARGUMENT_CHARS are compared by an
// exact hash of their raw text, so a model streaming megabytes costs a bounded buffer.

/** Arguments up to this long are canonicalised; longer ones are hashed as raw text. */
export const MAX_ARGUMENT_CHARS = 8 * 1024;
/** Tool names are cut to this length. */
export const MAX_TOOL_NAME_CHARS = 128;
/** Tool calls looked at per answer (over all choices); more are not counted. */
export const MAX_CALLS_PER_ANSWER = 64;

export interface ProposedToolCall {
  readonly name: string;
  /** sha256 of the canonical arguments, 16 hex digits: safe to log. */
  readonly argsHash: string;
  /** Name and arguments together (16 hex digits): equal identities are the same call. */
  readonly identity: string;
}

/** The tool calls of a non-streamed chat completion (`choices[].message.tool_calls[]`). */
export function toolCallsOfCompletion(body: unknown): ProposedToolCall[] {
  const calls: ProposedToolCall[] = [];
  for (const choice of arrayAt(body, 'choices')) {
    const message = isRecord(choice) ? choice.message : undefined;
    for (const call of arrayAt(message, 'tool_calls')) {
      if (calls.length >= MAX_CALLS_PER_ANSWER) return calls;
      const fn = isRecord(call) ? call.function : undefined;
      if (!isRecord(fn)) continue;
      const args = typeof fn.arguments === 'string' ? fn.arguments : '';
      const digest = args.length > MAX_ARGUMENT_CHARS ? rawDigest().update(args).digest('hex') : canonicalDigest(args);
      calls.push(proposed(typeof fn.name === 'string' ? fn.name : '', digest));
    }
  }
  return calls;
}

interface Assembling {
  name: string;
  /** The arguments so far, up to MAX_ARGUMENT_CHARS. */
  head: string;
  length: number;
  /** Every argument piece, for arguments too long to keep. */
  readonly raw: Hash;
}

/**
 * Puts streamed tool calls back together: `choices[].delta.tool_calls[]` arrive in pieces,
 * keyed by choice and call index; the name comes whole or in pieces, the arguments in pieces.
 */
export class ToolCallAssembler {
  readonly #calls = new Map<string, Assembling>();

  /** Feeds one parsed stream chunk; chunks without tool calls are ignored. */
  feed(chunk: unknown): void {
    for (const choice of arrayAt(chunk, 'choices')) {
      if (!isRecord(choice)) continue;
      const choiceIndex = typeof choice.index === 'number' ? choice.index : 0;
      for (const delta of arrayAt(choice.delta, 'tool_calls')) {
        if (!isRecord(delta) || typeof delta.index !== 'number') continue;
        this.#piece(`${choiceIndex}:${delta.index}`, isRecord(delta.function) ? delta.function : {}, typeof delta.id === 'string' && delta.id !== '');
      }
    }
  }

  /** The calls assembled, in the order they started. */
  finish(): ProposedToolCall[] {
    return [...this.#calls.values()].map((call) =>
      proposed(call.name, call.length > MAX_ARGUMENT_CHARS ? call.raw.digest('hex') : canonicalDigest(call.head)),
    );
  }

  /** `header`: the delta carries the call's id, so its name is the whole name, not a piece. */
  #piece(id: string, fn: Record<string, unknown>, header: boolean): void {
    let call = this.#calls.get(id);
    if (call === undefined) {
      if (this.#calls.size >= MAX_CALLS_PER_ANSWER) return;
      call = { name: '', head: '', length: 0, raw: rawDigest() };
      this.#calls.set(id, call);
    }
    // Some servers repeat the id and whole name on every delta: a header replaces, a piece appends.
    if (typeof fn.name === 'string') call.name = (header ? fn.name : call.name + fn.name).slice(0, MAX_TOOL_NAME_CHARS);
    if (typeof fn.arguments === 'string' && fn.arguments !== '') {
      call.raw.update(fn.arguments);
      call.length += fn.arguments.length;
      if (call.length <= MAX_ARGUMENT_CHARS) call.head += fn.arguments;
      else call.head = '';
    }
  }
}

/** Hash of arguments in canonical form: parsed JSON canonicalised, otherwise the trimmed text. */
function canonicalDigest(args: string): string {
  const text = args.trim();
  let canonical: string | undefined;
  try {
    canonical = canonicalJson(JSON.parse(text));
  } catch {
    canonical = undefined;
  }
  return sha256(canonical === undefined ? `text:${text}` : `json:${canonical}`);
}

const rawDigest = (): Hash => createHash('sha256').update('raw:');

function proposed(name: string, argsDigest: string): ProposedToolCall {
  const cut = name.slice(0, MAX_TOOL_NAME_CHARS);
  return { name: cut, argsHash: argsDigest.slice(0, 16), identity: sha256(`${cut}\u0000${argsDigest}`).slice(0, 16) };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function arrayAt(holder: unknown, field: string): readonly unknown[] {
  const value = isRecord(holder) ? holder[field] : undefined;
  return Array.isArray(value) ? value : [];
}
