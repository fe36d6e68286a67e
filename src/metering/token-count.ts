import { createRequire } from 'node:module';
import { TextLru } from '../state/text-lru.ts';

// Token counts before the provider reports any: the budget reservation, the context-window
// check, and streams cut before their usage arrived. Counting uses the model family's real
// BPE encoding (gpt-tokenizer: the tiktoken encodings in plain JS, several times faster than
// the WASM build here), with OpenAI's per-message overheads.
//
// Bounded cost, whatever the client sends: BPE is quadratic within one pre-token, so text is
// counted in short slices (a 100 KB run of one letter costs ~5 ms instead of ~10 s), and only
// the first EXACT_CHARS of a request are counted exactly; the rest is extrapolated at the rate
// measured so far. Agents resend the same conversation every step, so long message texts are
// remembered (a bounded cache) and each step pays only for what is new.

type Encoder = (text: string, options: { disallowedSpecial: Set<string> }) => number;
type EncodingName = 'o200k_base' | 'cl100k_base';

interface Family {
  /** The BPE encoding counted with; also the long-text cache's key prefix. */
  readonly encoding: EncodingName;
  /** Tokens this family's real tokenizer uses per token of the encoding we count with. */
  readonly scale: number;
}

const O200K: Family = { encoding: 'o200k_base', scale: 1 };
const CL100K: Family = { encoding: 'cl100k_base', scale: 1 };
// Anthropic's tokenizer is not public; it runs about a fifth above OpenAI's on English text.
const CLAUDE: Family = { encoding: 'cl100k_base', scale: 1.2 };

// Each encoding's rank table is tens of MB of heap once built: it is loaded on its first
// count, synchronously (gpt-tokenizer's CommonJS build), so a gateway whose prompts always
// fit under the cheap ceiling, or that only meets one family, never holds the other.
const requireCjs = createRequire(import.meta.url);
const encoders = new Map<EncodingName, Encoder>();

function encoderOf(family: Family): Encoder {
  let encoder = encoders.get(family.encoding);
  if (encoder === undefined) {
    encoder = (requireCjs(`gpt-tokenizer/encoding/${family.encoding}`) as { countTokens: Encoder }).countTokens;
    encoders.set(family.encoding, encoder);
  }
  return encoder;
}
const MAX_SCALE = CLAUDE.scale;

/** Special-token text in a prompt is counted as plain text, never refused. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };
const SLICE_CHARS = 512;
const EXACT_CHARS = 256 * 1024;
/** Worst case past the exact budget until a rate is known: one token per two characters. */
const FALLBACK_TOKENS_PER_CHAR = 0.5;

// OpenAI's documented chat overheads: every message is wrapped in 3 tokens, a `name` adds
// one, and every reply is primed with 3.
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
/** A high-detail 512px image tile plus the base cost (OpenAI's vision pricing): a safe upper figure. */
const IMAGE_TOKENS = 765;
const PER_TOOL = 8;

/**
 * The encoding family for a provider model name. Unknown models (local Llama, Qwen, Mistral
 * ...) are counted with o200k_base: their tokenizers differ, but by well under the error of
 * any cheaper guess.
 */
export function familyOf(model: string): Family {
  const m = model.toLowerCase();
  if (m.includes('claude')) return CLAUDE;
  if (/^(gpt-4(?!o|\.)|gpt-3\.5|text-embedding-|davinci|babbage)/.test(m)) return CL100K;
  return O200K;
}

/** What the prompt walk adds to: the real counter, or the cheap ceiling below. */
interface Tally {
  text(text: string): number;
  fixed(tokens: number): void;
  readonly total: number;
}

/** Counts text within one request's exact budget, extrapolating past it. */
export class TokenCounter implements Tally {
  readonly #family: Family;
  #exactChars = 0;
  #exactTokens = 0;
  #estimated = 0;

  constructor(model: string) {
    this.#family = familyOf(model);
  }

  /** Adds a text's tokens and returns them. */
  text(text: string): number {
    if (text.length === 0) return 0;
    const cached = text.length >= CACHE_MIN_CHARS ? longTexts.get(this.#family.encoding, text) : undefined;
    if (cached !== undefined) {
      this.#exactChars += text.length;
      this.#exactTokens += cached;
      return cached;
    }
    const room = EXACT_CHARS - this.#exactChars;
    if (room <= 0) {
      const tokens = Math.ceil(text.length * this.#rate());
      this.#estimated += tokens;
      return tokens;
    }
    const exactPart = text.length <= room ? text : text.slice(0, room);
    const exact = countSliced(encoderOf(this.#family), exactPart);
    this.#exactChars += exactPart.length;
    this.#exactTokens += exact;
    if (exactPart.length === text.length) {
      if (text.length >= CACHE_MIN_CHARS) longTexts.set(this.#family.encoding, text, exact);
      return exact;
    }
    const rest = Math.ceil((text.length - exactPart.length) * this.#rate());
    this.#estimated += rest;
    return exact + rest;
  }

  /** Adds a fixed number of tokens (overheads, images, token-array inputs). */
  fixed(tokens: number): void {
    this.#exactTokens += tokens;
  }

  get total(): number {
    return Math.ceil((this.#exactTokens + this.#estimated) * this.#family.scale);
  }

  #rate(): number {
    return this.#exactChars > 0 ? Math.max(this.#exactTokens / this.#exactChars, 0.2) : FALLBACK_TOKENS_PER_CHAR;
  }
}

/** The prompt tokens of a chat request (messages and tool definitions) for `model`. */
export function countPromptTokens(body: Readonly<Record<string, unknown>>, model: string): number {
  return countPrompt(body, new TokenCounter(model), undefined);
}

/**
 * The same count, with each message's share (`perMessage[i]` for `messages[i]`; the rest is
 * tool definitions and reply priming), for trimming a conversation to a window. The shares
 * add up to `total` exactly.
 */
export function countPromptBreakdown(body: Readonly<Record<string, unknown>>, model: string): { total: number; perMessage: number[] } {
  const perMessage: number[] = [];
  return { total: countPrompt(body, new TokenCounter(model), perMessage), perMessage };
}

/**
 * An upper bound of `countPromptTokens` for any model, without running BPE: a token is at
 * least one UTF-8 byte (plus one spare per slice, where a cut may split a character), and
 * Claude's scale is the largest. Infinity past the exact budget, where counts extrapolate.
 * A few microseconds where the real count takes tens to hundreds: a prompt whose ceiling
 * fits every window needs no count at all.
 */
export function promptTokenCeiling(body: Readonly<Record<string, unknown>>): number {
  return countPrompt(body, new TokenCeiling(), undefined);
}

class TokenCeiling implements Tally {
  #chars = 0;
  #tokens = 0;

  text(text: string): number {
    const tokens = Buffer.byteLength(text) + Math.ceil(text.length / SLICE_CHARS);
    this.#chars += text.length;
    this.#tokens += tokens;
    return tokens;
  }

  fixed(tokens: number): void {
    this.#tokens += tokens;
  }

  get total(): number {
    return this.#chars > EXACT_CHARS ? Infinity : Math.ceil(this.#tokens * MAX_SCALE);
  }
}

function countPrompt(body: Readonly<Record<string, unknown>>, counter: Tally, perMessage: number[] | undefined): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const message of messages) {
    const before = perMessage === undefined ? 0 : counter.total;
    countMessage(counter, message);
    perMessage?.push(counter.total - before);
  }
  counter.fixed(REPLY_PRIMING);
  if (Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      counter.fixed(PER_TOOL);
      counter.text(safeJson((tool as { function?: unknown } | null)?.function ?? tool));
    }
  }
  return counter.total;
}

function countMessage(counter: Tally, message: unknown): void {
  if (message === null || typeof message !== 'object') return;
  const m = message as Record<string, unknown>;
  counter.fixed(PER_MESSAGE);
  if (typeof m.role === 'string') counter.text(m.role);
  if (typeof m.name === 'string') {
    counter.fixed(PER_NAME);
    counter.text(m.name);
  }
  countContent(counter, m.content);
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls) {
      const fn = (call as { function?: { name?: unknown; arguments?: unknown } } | null)?.function;
      if (typeof fn?.name === 'string') counter.text(fn.name);
      if (typeof fn?.arguments === 'string') counter.text(fn.arguments);
    }
  }
  if (typeof m.tool_call_id === 'string') counter.text(m.tool_call_id);
}

/** The input tokens of an embeddings request. */
export function countEmbeddingTokens(input: unknown, model: string): number {
  const counter = new TokenCounter(model);
  const items = Array.isArray(input) && !input.every((x) => typeof x === 'number') ? input : [input];
  for (const item of items) {
    if (typeof item === 'string') counter.text(item);
    else if (Array.isArray(item)) counter.fixed(item.length);
  }
  return counter.total;
}

/** Tokens of plain text, e.g. a stream's generated text when no usage arrived. */
export function countTextTokens(text: string, model: string): number {
  const counter = new TokenCounter(model);
  counter.text(text);
  return counter.total;
}

function countContent(counter: Tally, content: unknown): void {
  if (typeof content === 'string') {
    counter.text(content);
    return;
  }
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (part === null || typeof part !== 'object') continue;
    const p = part as Record<string, unknown>;
    if (typeof p.text === 'string') counter.text(p.text);
    else if (p.type === 'image_url' || p.type === 'input_image' || p.type === 'image') counter.fixed(IMAGE_TOKENS);
    else counter.text(safeJson(p));
  }
}

/** Counts in short slices, cut at whitespace where one is near, so no pre-token is huge. */
function countSliced(encode: Encoder, text: string): number {
  if (text.length <= SLICE_CHARS) return encode(text, AS_TEXT);
  let tokens = 0;
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + SLICE_CHARS, text.length);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > start + SLICE_CHARS / 2) end = space;
    }
    tokens += encode(text.slice(start, end), AS_TEXT);
    start = end;
  }
  return tokens;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return ''; // cyclic or too deep: request parsing refuses such bodies before they get here
  }
}

// Long texts already counted, per encoding: agents resend the whole conversation each step.
const CACHE_MIN_CHARS = 256;
const longTexts = new TextLru<number>({ maxChars: 8 * 1024 * 1024, maxTextChars: 512 * 1024 });
