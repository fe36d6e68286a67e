import type { RoutingDecision } from './decide-side.ts';

/** The request log's routing fields; none for a request to a plain alias. */
export function routingLogFields(decision: RoutingDecision | undefined) {
  if (decision === undefined) return undefined;
  return {
    routedFrom: decision.requested,
    routeSide: decision.side,
    routeScore: decision.score === undefined ? undefined : Math.round(decision.score * 1000) / 1000,
    routeThreshold: decision.threshold,
    routeReason: decision.reason,
  };
}
