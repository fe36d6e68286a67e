import type { RouterConfig } from '../config/schema.ts';
import type { DifficultyModel } from './difficulty-model.ts';
import type { PromptView } from './prompt-view.ts';
import type { RunSides } from './run-sides.ts';

// Which side of a router alias serves a request. In order: a side the client forces with
// the `x-tollgate-route` header; the side the request's run was first sent to; else the
// difficulty score against the threshold. A side with no live provider yields to the other.

export type Side = 'cheap' | 'strong';
export type RouteReason = 'score' | 'forced' | 'run' | 'unavailable';

export interface RoutingDecision {
  /** The router alias the client asked for. */
  readonly requested: string;
  readonly side: Side;
  /** The alias of that side, which the request is routed as. */
  readonly alias: string;
  /** Difficulty in 0..1; computed whenever the side was not forced. */
  readonly score: number | undefined;
  readonly threshold: number;
  readonly reason: RouteReason;
}

export interface DecisionInput {
  readonly requested: string;
  readonly router: RouterConfig;
  readonly view: () => PromptView;
  readonly forced: Side | undefined;
  /** Key for the run memory (tenant, alias and run id), when the request names a run. */
  readonly runKey: string | undefined;
  readonly isLive: (alias: string) => boolean;
}

export function decideSide(input: DecisionInput, model: DifficultyModel, runs: RunSides): RoutingDecision {
  const { router } = input;
  let side: Side;
  let reason: RouteReason;
  let score: number | undefined;
  const remembered = input.forced === undefined && input.runKey !== undefined ? runs.get(input.runKey) : undefined;
  if (input.forced !== undefined) {
    side = input.forced;
    reason = 'forced';
  } else if (remembered !== undefined) {
    side = remembered;
    reason = 'run';
    score = model.score(input.view());
  } else {
    score = model.score(input.view());
    side = score < router.threshold ? 'cheap' : 'strong';
    reason = 'score';
    if (input.runKey !== undefined) runs.set(input.runKey, side);
  }
  const other: Side = side === 'cheap' ? 'strong' : 'cheap';
  if (!input.isLive(router[side]) && input.isLive(router[other])) {
    side = other;
    reason = 'unavailable';
  }
  return { requested: input.requested, side, alias: router[side], score, threshold: router.threshold, reason };
}

/** `x-tollgate-route` response header: `cheap; score=0.312; threshold=0.5; reason=score`. */
export function routeHeader(decision: RoutingDecision): string {
  const score = decision.score === undefined ? '' : `; score=${decision.score.toFixed(3)}`;
  return `${decision.side}${score}; threshold=${decision.threshold}; reason=${decision.reason}`;
}
