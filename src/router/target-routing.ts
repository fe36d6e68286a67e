import type { BreakerConfig, Config, ModelConfig, TargetConfig } from '../config/schema.ts';
import type { UpstreamCall } from '../providers/types.ts';
import type { BreakerSettings } from './breaker.ts';
import { ConcurrencyLimit } from './concurrency.ts';

// Everything the fallback loop needs to know about one target, resolved from config once
// at start: its key, weight, retries, breaker, deadlines and concurrency limits.

export interface TargetRouting {
  /** `provider/model`: names the target in breakers, headers and logs. */
  readonly key: string;
  readonly weight: number | undefined;
  /** Retries of this target before falling to the next. */
  readonly retries: number;
  /** Undefined when the alias turned breakers off. */
  readonly breaker: BreakerSettings | undefined;
  /** This target's deadline overrides, passed to the provider call. */
  readonly timeouts: NonNullable<UpstreamCall['timeouts']>;
  /** The alias's deadline for the whole fallback loop. */
  readonly deadlineMs: number;
  /** Provider-wide, then target's own; a call holds a slot in each. */
  readonly limits: readonly ConcurrencyLimit[];
}

export const DEFAULT_RETRIES = 2;
export const DEFAULT_BREAKER: BreakerSettings = { failures: 5, cooldownMs: 30_000 };
const DEFAULT_DEADLINE_MS = 600_000;
const DEFAULT_QUEUE_TIMEOUT_MS = 2_000;

/** Routing for a target built without it (tests, other stages): the defaults. */
export function routingOf(target: { readonly provider: { readonly name: string }; readonly model: string; readonly routing?: TargetRouting }): TargetRouting {
  return (
    target.routing ?? {
      key: `${target.provider.name}/${target.model}`,
      weight: undefined,
      retries: DEFAULT_RETRIES,
      breaker: DEFAULT_BREAKER,
      timeouts: {},
      deadlineMs: DEFAULT_DEADLINE_MS,
      limits: [],
    }
  );
}

type ProviderConfig = Config['providers'][string];
interface LimitFields {
  readonly maxConcurrent?: number | undefined;
  readonly maxQueued?: number | undefined;
  readonly queueTimeout?: number | undefined;
}

export function routingFor(
  model: ModelConfig,
  target: TargetConfig,
  provider: ProviderConfig,
  limits: Map<string, ConcurrencyLimit>,
): TargetRouting {
  const key = `${target.provider}/${target.model}`;
  // The provider's deadlines with this target's overrides, so the loop can cap them by what its own deadline leaves.
  const timeouts: Record<string, number> = {};
  if (provider.kind !== 'mock') Object.assign(timeouts, { firstByte: provider.timeouts.firstByte, idle: provider.timeouts.idle, total: provider.timeouts.total });
  for (const [name, ms] of Object.entries(target.timeouts ?? {})) if (ms !== undefined) timeouts[name] = ms;
  const targetLimits = [
    limitFor(limits, `provider ${target.provider}`, provider),
    limitFor(limits, `target ${key}`, target),
  ].filter((l): l is ConcurrencyLimit => l !== undefined);
  return {
    key,
    weight: target.weight,
    retries: model.retries,
    breaker: model.breaker === false ? undefined : breakerSettings(model.breaker),
    timeouts,
    deadlineMs: model.deadline,
    limits: targetLimits,
  };
}

function breakerSettings(config: BreakerConfig): BreakerSettings {
  const { failures, cooldown, errorRate, window, minRequests } = config;
  if (errorRate === undefined) return { failures, cooldownMs: cooldown };
  return { failures, cooldownMs: cooldown, errorRate: { rate: errorRate, windowMs: window, minRequests } };
}

function limitFor(limits: Map<string, ConcurrencyLimit>, name: string, fields: LimitFields): ConcurrencyLimit | undefined {
  if (fields.maxConcurrent === undefined) return undefined;
  let limit = limits.get(name);
  if (limit === undefined) {
    limit = new ConcurrencyLimit(name, {
      max: fields.maxConcurrent,
      maxQueued: fields.maxQueued ?? fields.maxConcurrent,
      queueTimeoutMs: fields.queueTimeout ?? DEFAULT_QUEUE_TIMEOUT_MS,
    });
    limits.set(name, limit);
  }
  return limit;
}
