import { describe, expect, it } from 'vitest';
import { hashKey } from '../config/keys.ts';
import { parseConfig } from '../config/load.ts';
import { PriceBook } from './pricing.ts';
import { providersOutlastingReservations, unpricedTargets } from './startup-checks.ts';

const load = (extra: string) =>
  parseConfig(
    `
${extra}
providers:
  mock: { kind: mock }
  slow: { kind: openai, baseUrl: "http://127.0.0.1:1/v1", timeouts: { total: 20m } }
models:
  chat: { targets: [{ provider: mock, model: mock-1 }, { provider: slow, model: my-finetune }] }
  local: { targets: [{ provider: slow, model: llama-3.1-70b }] }
tenants:
  team: { keys: ["${hashKey('k')}"], models: ["*"] }
`,
    'c.yaml',
    {},
  ).config;

describe('startup checks', () => {
  it('names every target model without a price; config prices count', () => {
    const config = load('pricing: { my-finetune: { input: 3.0, output: 12.0, cachedInput: 1.5 } }');
    expect(unpricedTargets(config, new PriceBook(config.pricing))).toEqual(['local: slow/llama-3.1-70b']);
  });

  it('names providers whose calls may outlast a reservation', () => {
    expect(providersOutlastingReservations(load(''))).toEqual(['slow']);
    expect(providersOutlastingReservations(load('policies: { budgets: { reservationTtl: 30m } }'))).toEqual([]);
  });
});
