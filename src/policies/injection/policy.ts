import type { ExternalClassifierConfig, InjectionConfig, InjectionOverride } from '../../config/injection-schema.ts';
import { injectionSchema } from '../../config/injection-schema.ts';
import { TextLru } from '../../state/text-lru.ts';
import { detect } from './detector.ts';
import { externalClassifier, type ExternalClassifier } from './external.ts';
import { shippedModel, type Channel } from './model.ts';

// The policy resolved once per tenant (global settings with the tenant's override on top),
// and the scan of one request's messages into verdicts.

export type InjectionAction = 'block' | 'flag' | 'spotlight';

export interface InjectionPolicy {
  readonly mode: 'enforce' | 'shadow';
  readonly channels: ReadonlySet<Channel>;
  readonly action: Readonly<Record<Channel, InjectionAction>>;
  readonly threshold: Readonly<Record<Channel, number>>;
  readonly external: { readonly config: ExternalClassifierConfig; readonly ask: ExternalClassifier } | undefined;
}

export interface Verdict {
  readonly index: number;
  readonly channel: Channel;
  readonly score: number;
  readonly action: InjectionAction;
  /** Who decided: the local model, the external classifier, or its failure (failClosed). */
  readonly by: 'local' | 'external' | 'external_error';
}

/** The policy for a tenant, or undefined when neither the global config nor the tenant turns it on. */
export function resolvePolicy(global: InjectionConfig | undefined, override: InjectionOverride | undefined, ask?: ExternalClassifier): InjectionPolicy | undefined {
  if (global === undefined && override === undefined) return undefined;
  const base = global ?? injectionSchema.parse({});
  const model = shippedModel();
  const threshold = { ...base.threshold, ...override?.threshold };
  const external = base.external === undefined ? undefined : { config: base.external, ask: ask ?? externalClassifier(base.external) };
  return {
    mode: override?.mode ?? base.mode,
    channels: new Set(override?.channels ?? base.channels),
    action: { ...base.action, ...override?.action },
    threshold: { user: threshold.user ?? model.user.threshold, tool: threshold.tool ?? model.tool.threshold },
    external,
  };
}

/**
 * Per request, at most this many characters are scanned in full, newest messages first (an
 * agent's history was scanned when it was new); past it a message is scanned by a short head
 * and tail. With the score cache below, an agent resending its conversation pays only for
 * what is new, and a hostile body of thousands of fresh messages stays bounded.
 */
const REQUEST_SCAN_BUDGET = 256 * 1024;
const OVER_BUDGET_WINDOW = 256;
const SLICE_MS = 8;

interface Message {
  role?: unknown;
  content?: unknown;
}

export function channelOf(role: unknown): Channel | undefined {
  if (role === 'user') return 'user';
  if (role === 'tool' || role === 'function') return 'tool';
  return undefined;
}

/** A message's text: a string content, or its text parts joined. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content) if (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string') parts.push((part as { text: string }).text);
  return parts.join('\n');
}

/** The verdict for each message scoring at or above its channel's threshold (after the external classifier, if any). */
export async function scanMessages(messages: readonly unknown[], policy: InjectionPolicy, signal: AbortSignal): Promise<Verdict[]> {
  const verdicts: Verdict[] = [];
  const grey: Array<{ index: number; channel: Channel; text: string; score: number }> = [];
  let budget = REQUEST_SCAN_BUDGET;
  let slice = performance.now();
  for (let index = messages.length - 1; index >= 0; index--) {
    // A long scan gives way to other requests every few milliseconds instead of stalling them.
    if (performance.now() - slice > SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const m = messages[index];
    const channel = channelOf((m as Message | null)?.role);
    if (channel === undefined || !policy.channels.has(channel)) continue;
    let text = textOf((m as Message).content);
    if (text === '') continue;
    let score = scores.get(channel, text);
    if (score === undefined) {
      const windowed = budget <= 0 && text.length > 2 * OVER_BUDGET_WINDOW;
      if (windowed) text = `${text.slice(0, OVER_BUDGET_WINDOW)}\n${text.slice(-OVER_BUDGET_WINDOW)}`;
      budget -= text.length;
      score = detect(text, channel).score;
      // Only whole-text scores are remembered: a windowed one is rescanned when there is room.
      if (!windowed) scores.set(channel, text, score);
    }
    const zone = policy.external?.config.greyZone;
    if (zone !== undefined && score >= zone.low && score < zone.high) grey.push({ index, channel, text, score });
    else if (score >= policy.threshold[channel]) verdicts.push({ index, channel, score, action: policy.action[channel], by: 'local' });
  }
  if (grey.length > 0) verdicts.push(...(await askExternal(grey, policy, signal)));
  return verdicts.sort((a, b) => a.index - b.index);
}

async function askExternal(grey: Array<{ index: number; channel: Channel; text: string; score: number }>, policy: InjectionPolicy, signal: AbortSignal): Promise<Verdict[]> {
  const { config, ask } = policy.external!;
  const asked = [...grey].sort((a, b) => b.score - a.score).slice(0, config.maxCallsPerRequest);
  const verdicts: Verdict[] = [];
  // Messages past the per-request cap keep their local verdict.
  for (const g of grey.filter((x) => !asked.includes(x))) {
    if (g.score >= policy.threshold[g.channel]) verdicts.push({ ...g, action: policy.action[g.channel], by: 'local' });
  }
  const answers = await Promise.allSettled(asked.map((g) => ask(g.text, g.channel, signal)));
  answers.forEach((answer, i) => {
    const g = asked[i]!;
    const base = { index: g.index, channel: g.channel, action: policy.action[g.channel] };
    if (answer.status === 'fulfilled') {
      if (answer.value >= 0.5) verdicts.push({ ...base, score: answer.value, by: 'external' });
    } else if (config.onError === 'failClosed') verdicts.push({ ...base, score: g.score, by: 'external_error' });
    else if (g.score >= policy.threshold[g.channel]) verdicts.push({ ...base, score: g.score, by: 'local' });
  });
  return verdicts;
}

// Scores of whole texts already scanned, per channel (the model is fixed for the process).
const scores = new TextLru<number>({ maxChars: 16 * 1024 * 1024, maxTextChars: 256 * 1024 });
