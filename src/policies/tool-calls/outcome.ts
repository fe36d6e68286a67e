import type { Usage } from '../../metering/usage.ts';
import { GatewayError } from '../../proxy/errors.ts';

// What the tool-call policy did with an answer, for logs and counts.

export type Outcome = 'rejected' | 'repair' | 'repaired' | 'annotated' | 'shadow';

/** Counts per outcome since the process started (also one log line per event). */
export const toolCallOutcomes: Record<Outcome, number> = { rejected: 0, repair: 0, repaired: 0, annotated: 0, shadow: 0 };

export function invalidError(errors: readonly string[]): GatewayError {
  return new GatewayError('invalid_tool_call', `The model returned an invalid tool call: ${errors.join('; ')}`);
}

/** Usage of two calls together (a repair adds its call to the first). */
export function addUsage(a: Usage, b: Usage): Usage {
  const cached = (a.cachedTokens ?? 0) + (b.cachedTokens ?? 0);
  const sum: Usage = {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    totalTokens: a.totalTokens + b.totalTokens,
    source: a.source === 'upstream' && b.source === 'upstream' ? 'upstream' : 'estimated',
  };
  return cached > 0 ? { ...sum, cachedTokens: cached } : sum;
}
