import type { SharedState } from '../state/shared-state.ts';
import { Breakers } from './breakers.ts';
import type { ModelTable } from './model-table.ts';
import { RateLimitTracker } from './rate-limit-tracker.ts';
import { RunAffinity } from './run-affinity.ts';
import { routingOf } from './target-routing.ts';

// The routing state that lives for the whole process: breakers (shared through Redis when
// configured), what providers said about their rate limits, and which target each agent
// run is pinned to. Built once at start and handed to the `route` and `callUpstream` stages.

export interface Router {
  readonly breakers: Breakers;
  readonly rateLimits: RateLimitTracker;
  readonly runs: RunAffinity;
}

export function createRouter(state: SharedState): Router {
  return { breakers: new Breakers(state), rateLimits: new RateLimitTracker(), runs: new RunAffinity() };
}

export interface Readiness {
  /** False when some model has no usable target (every one's breaker is open). */
  readonly ready: boolean;
  /** Targets (`provider/model`) whose breaker is open now. */
  readonly openTargets: string[];
  /** Models none of whose targets can take a request now. */
  readonly unavailableModels: string[];
}

/** Breaker state for /readyz: ready while every model with live targets has one that is not open. */
export async function readiness(router: Router, models: ModelTable): Promise<Readiness> {
  const keys = new Set<string>();
  for (const entry of models.values()) {
    for (const target of entry.targets) {
      const routing = routingOf(target);
      if (routing.breaker !== undefined) keys.add(routing.key);
    }
  }
  const open = new Set(await router.breakers.openKeys([...keys]));
  const unavailableModels = [...models.values()]
    .filter((entry) => entry.targets.length > 0 && entry.targets.every((t) => open.has(routingOf(t).key)))
    .map((entry) => entry.alias);
  return { ready: unavailableModels.length === 0, openTargets: [...open].sort(), unavailableModels };
}
