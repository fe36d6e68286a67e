import type { Config, RouterConfig } from '../config/schema.ts';
import type { Providers } from '../providers/registry.ts';
import type { Provider } from '../providers/types.ts';
import { knownContextWindow } from './context-windows.ts';
import { resolveShadow, type ShadowTarget } from './shadow-traffic.ts';
import type { ConcurrencyLimit } from './concurrency.ts';
import { routingFor, type TargetRouting } from './target-routing.ts';

// Model aliases resolved against live providers once, at start-up. A request then looks
// its alias up in a Map and gets the ordered targets, with nothing left to work out.

export interface ResolvedTarget {
  readonly provider: Provider;
  readonly model: string;
  /** Tokens the model accepts (prompt + output), when configured or known. */
  readonly contextWindow: number | undefined;
  /** Retries, breaker, weight, deadlines and concurrency limits (defaults when absent). */
  readonly routing?: TargetRouting;
}

export interface ModelEntry {
  readonly alias: string;
  /** Targets on live providers, in the configured (fallback) order. */
  readonly targets: readonly ResolvedTarget[];
  /** Why no target is live, when `targets` is empty. */
  readonly unavailable: string | undefined;
  /** Where a sample of this alias's chat requests is mirrored, when configured and live. */
  readonly shadow: ShadowTarget | undefined;
}

/** Where one request may go: its alias's live targets, in the order they are tried. */
export interface RoutePlan {
  readonly alias: string;
  readonly targets: readonly [ResolvedTarget, ...ResolvedTarget[]];
}

export type ModelTable = ReadonlyMap<string, ModelEntry>;
type TargetConfig = NonNullable<Config['models'][string]['targets']>[number];

export function buildModelTable(config: Config, providers: Providers): ModelTable {
  const table = new Map<string, ModelEntry>();
  // Concurrency limits are shared by every alias that names the same provider or provider/model.
  const limits = new Map<string, ConcurrencyLimit>();
  for (const [alias, spec] of Object.entries(config.models)) {
    const targets: ResolvedTarget[] = [];
    const reasons: string[] = [];
    for (const target of spec.targets ?? routerSideTargets(config, spec.router)) {
      const provider = providers.live.get(target.provider);
      if (provider) {
        const routing = routingFor(spec, target, config.providers[target.provider]!, limits);
        targets.push({ provider, model: target.model, contextWindow: target.contextWindow ?? knownContextWindow(target.model), routing });
      } else {
        reasons.push(`provider "${target.provider}" is disabled (${providers.disabled.get(target.provider) ?? 'not configured'})`);
      }
    }
    table.set(alias, { alias, targets, unavailable: targets.length === 0 ? reasons.join('; ') : undefined, shadow: resolveShadow(config, spec.shadow, providers) });
  }
  return table;
}

// A router alias (see choose-side) is listed with its sides' targets, strong first, so it is
// live when either side is; requests through it are sent to one side's alias, never here.
function routerSideTargets(config: Config, router: RouterConfig | undefined): readonly TargetConfig[] {
  if (router === undefined) return [];
  return [...(config.models[router.strong]?.targets ?? []), ...(config.models[router.cheap]?.targets ?? [])];
}
