import { countPromptBreakdown, countPromptTokens, familyOf, promptTokenCeiling } from '../metering/token-count.ts';
import { GatewayError } from '../proxy/errors.ts';
import type { ResolvedTarget } from './model-table.ts';
import { trimConversation } from './trim-conversation.ts';

// Does a chat request fit its targets' context windows, and what to do when it does not.
// The prompt is counted once per encoding family among the targets (not once per target),
// plus what the reply may take: the client's max_completion_tokens / max_tokens, or a small
// allowance. Targets whose window is unknown are never judged: they are kept as they are.

export type OverflowMode = 'fallback' | 'trim' | 'reject';

/** Room left for the reply when the client sets no limit: enough for a short answer. */
export const DEFAULT_REPLY_TOKENS = 256;

type Targets = readonly [ResolvedTarget, ...ResolvedTarget[]];

export interface Fit {
  /** The targets that can take the request, in plan order (never empty). */
  readonly targets: Targets;
  /** The body to send instead of the client's, when the conversation was trimmed. */
  readonly body?: Record<string, unknown>;
  readonly trimmed?: { readonly messages: number; readonly tokens: number };
}

export type PromptCounter = (body: Readonly<Record<string, unknown>>, model: string) => number;

export function fitToWindows(body: Readonly<Record<string, unknown>>, targets: Targets, mode: OverflowMode, count: PromptCounter = countPromptTokens): Fit {
  let smallest = Infinity;
  for (const t of targets) if (t.contextWindow !== undefined && t.contextWindow < smallest) smallest = t.contextWindow;
  if (smallest === Infinity) return { targets };
  const reply = replyTokens(body);
  // Most prompts are far below every window: a byte count proves it without running BPE.
  if (promptTokenCeiling(body) + reply.tokens <= smallest) return { targets };

  const first = targets[0];
  const counts = new PromptCounts(body, count);
  // Trimming needs each message's share, which counts the whole prompt too: count once.
  const breakdown = mode === 'trim' && first.contextWindow !== undefined ? countPromptBreakdown(body, first.model) : undefined;
  if (breakdown !== undefined) counts.set(first.model, breakdown.total);
  const fits = (t: ResolvedTarget) => t.contextWindow === undefined || counts.of(t.model) + reply.tokens <= t.contextWindow;
  if (fits(first)) return { targets: keep(targets, fits, counts, reply) };
  if (mode === 'reject') throw tooLong(first, counts.of(first.model), reply);
  if (mode === 'fallback') return { targets: keep(targets, fits, counts, reply) };

  // trim: fit the first target (the one meant to answer), then keep the others that the
  // trimmed request fits.
  const window = first.contextWindow!;
  const { total, perMessage } = breakdown!;
  const overhead = total - perMessage.reduce((a, b) => a + b, 0);
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const trimmed = trimConversation(messages, perMessage, window - reply.tokens - overhead);
  if (trimmed === undefined) throw tooLong(first, total, reply, ' The conversation cannot be trimmed further: its system messages, first user message and newest turn alone are too long.');
  const trimmedBody = { ...body, messages: trimmed.messages };
  const trimmedCounts = new PromptCounts(trimmedBody, count);
  trimmedCounts.set(first.model, total - trimmed.droppedTokens);
  const trimmedFits = (t: ResolvedTarget) => t.contextWindow === undefined || trimmedCounts.of(t.model) + reply.tokens <= t.contextWindow;
  return {
    targets: [first, ...targets.slice(1).filter(trimmedFits)],
    body: trimmedBody,
    trimmed: { messages: trimmed.droppedMessages, tokens: trimmed.droppedTokens },
  };
}

/** The targets that fit, or 400 against the largest window when none does. */
function keep(targets: Targets, fits: (t: ResolvedTarget) => boolean, counts: PromptCounts, reply: Reply): Targets {
  const kept = targets.filter(fits);
  if (kept.length === targets.length) return targets;
  if (kept.length > 0) return kept as [ResolvedTarget, ...ResolvedTarget[]];
  // None fits, so every window is known; the largest came closest.
  const largest = targets.reduce((a, b) => (b.contextWindow! > a.contextWindow! ? b : a));
  throw tooLong(largest, counts.of(largest.model), reply);
}

/** Prompt tokens per encoding family, counted on first use. */
class PromptCounts {
  readonly #body: Readonly<Record<string, unknown>>;
  readonly #count: PromptCounter;
  readonly #byFamily = new Map<ReturnType<typeof familyOf>, number>();

  constructor(body: Readonly<Record<string, unknown>>, count: PromptCounter) {
    this.#body = body;
    this.#count = count;
  }

  of(model: string): number {
    const family = familyOf(model);
    let tokens = this.#byFamily.get(family);
    if (tokens === undefined) {
      tokens = this.#count(this.#body, model);
      this.#byFamily.set(family, tokens);
    }
    return tokens;
  }

  set(model: string, tokens: number): void {
    this.#byFamily.set(familyOf(model), tokens);
  }
}

interface Reply {
  readonly tokens: number;
  /** The client asked for this many (rather than the default allowance). */
  readonly requested: boolean;
}

function replyTokens(body: Readonly<Record<string, unknown>>): Reply {
  for (const key of ['max_completion_tokens', 'max_tokens'] as const) {
    const value = body[key];
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return { tokens: Math.ceil(value), requested: true };
  }
  return { tokens: DEFAULT_REPLY_TOKENS, requested: false };
}

/** OpenAI's own wording, so clients that parse it keep working. */
function tooLong(target: ResolvedTarget, prompt: number, reply: Reply, more = ''): GatewayError {
  const window = `This model's maximum context length is ${target.contextWindow} tokens.`;
  const message = reply.requested
    ? `${window} However, you requested ${prompt + reply.tokens} tokens (${prompt} in the messages, ${reply.tokens} in the completion). Please reduce the length of the messages or completion.`
    : `${window} However, your messages resulted in ${prompt} tokens (and ${reply.tokens} are kept for the reply). Please reduce the length of the messages.`;
  return new GatewayError('context_length_exceeded', message + more, { param: 'messages' });
}
