import type { Config } from '../config/schema.ts';
import type { PriceBook } from './pricing.ts';

/** Configured target models with no known price, as `alias: provider/model` (for the startup warning). */
export function unpricedTargets(config: Config, prices: PriceBook): string[] {
  const out: string[] = [];
  for (const [alias, spec] of Object.entries(config.models)) {
    for (const target of spec.targets) {
      if (prices.priceOf(target.model) === undefined) out.push(`${alias}: ${target.provider}/${target.model}`);
    }
  }
  return out;
}
