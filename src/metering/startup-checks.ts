import type { Config } from '../config/schema.ts';
import type { PriceBook } from './pricing.ts';

// Budget settings worth a warning at start: they work, but not the way an operator expects.

/** Configured target models with no known price, as `alias: provider/model`. */
export function unpricedTargets(config: Config, prices: PriceBook): string[] {
  const out: string[] = [];
  for (const [alias, spec] of Object.entries(config.models)) {
    for (const target of spec.targets ?? []) {
      if (prices.priceOf(target.model) === undefined) out.push(`${alias}: ${target.provider}/${target.model}`);
    }
  }
  return out;
}

/**
 * Providers whose calls may outlast a reservation: a reservation reclaimed while its call is
 * still running frees capacity the call is still spending.
 */
export function providersOutlastingReservations(config: Config): string[] {
  const ttl = config.policies.budgets.reservationTtl;
  return Object.entries(config.providers)
    .filter(([, p]) => p.kind !== 'mock' && p.timeouts.total >= ttl)
    .map(([name]) => name);
}
