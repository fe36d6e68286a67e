import { GatewayError } from '../proxy/errors.ts';
import type { LimitStatus } from './budget-ledger.ts';
import { fromUnits, type Amounts } from './limits.ts';
import { formatResetDuration, isRateWindow } from './windows.ts';

// What a client is told about its limits: OpenAI's `x-ratelimit-*` headers on every
// response, and the 429 when a reservation does not fit.

/** `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` from the tightest limit of each measure. */
export function rateLimitHeaders(statuses: readonly LimitStatus[], now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const measure of ['requests', 'tokens'] as const) {
    let tightest: LimitStatus | undefined;
    for (const s of statuses) {
      if (s.spec.measure === measure && (tightest === undefined || remaining(s) < remaining(tightest))) tightest = s;
    }
    if (tightest === undefined) continue;
    headers[`x-ratelimit-limit-${measure}`] = String(tightest.spec.limit);
    headers[`x-ratelimit-remaining-${measure}`] = String(remaining(tightest));
    if (tightest.resetAt !== undefined) headers[`x-ratelimit-reset-${measure}`] = formatResetDuration(tightest.resetAt - now);
  }
  return headers;
}

export function remaining(s: LimitStatus): number {
  return Math.max(0, s.spec.limit - s.used - s.reserved);
}

/**
 * The 429 for a refused reservation. `rate_limited` when only minute/hour request or token
 * limits refused it, `budget_exceeded` (type insufficient_quota) otherwise. Retry-After is the
 * time until the last refusing window ends, and is left out when waiting cannot help (the
 * request alone exceeds a limit, or a `total` limit refused it).
 */
export function refusalError(refused: readonly LimitStatus[], asked: Amounts, now: number): GatewayError {
  const isBudget = refused.some((s) => !isRateWindow(s.spec.window) || s.spec.measure === 'usd');
  const tooBig = refused.find((s) => asked[s.spec.measure] > s.spec.limit);
  const first = tooBig ?? refused[0]!;
  const { spec } = first;
  const what = `the ${spec.window} ${spec.measure.replace('_', ' ')} limit${spec.model === undefined ? '' : ` for ${spec.model}`}`;
  const ask = show(spec.measure, asked[spec.measure]);
  let message: string;
  let retryAfter: string | undefined;
  if (tooBig !== undefined) {
    message = `This request may use up to ${ask}, more than ${what} (${show(spec.measure, spec.limit)}) allows at all; lower max_tokens or max_completion_tokens.`;
  } else {
    message = `Limit reached: ${what} is ${show(spec.measure, spec.limit)}, ${show(spec.measure, remaining(first))} is left and this request may use up to ${ask}.`;
    const resets = refused.map((s) => s.resetAt);
    if (resets.every((r) => r !== undefined)) {
      const last = Math.max(...(resets as number[]));
      retryAfter = String(Math.max(1, Math.ceil((last - now) / 1000)));
      message += ` It resets at ${new Date(last).toISOString()}.`;
    }
  }
  return new GatewayError(isBudget ? 'budget_exceeded' : 'rate_limited', message, { retryAfter });
}

function show(measure: LimitStatus['spec']['measure'], units: number): string {
  if (measure === 'usd') return `$${fromUnits('usd', units).toFixed(6).replace(/\.?0+$/, '')}`;
  return `${units} ${measure === 'requests' ? 'requests' : measure.replace('_', ' ')}`;
}
