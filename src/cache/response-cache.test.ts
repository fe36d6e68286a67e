import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hashKey } from '../config/keys.ts';
import { parseConfig } from '../config/load.ts';
import { PriceBook } from '../metering/pricing.ts';
import { connectState } from '../state/shared-state.ts';
import { createLogger } from '../telemetry/logger.ts';
import { ResponseCache } from './response-cache.ts';

const logger = createLogger('silent', new Writable({ write: (_c, _e, done) => done() }));

function cacheAt(clock: { now: number }, cacheYaml = 'cache: { kind: memory, ttl: 10m, maxBytes: 1mb }') {
  const { config } = parseConfig(
    `${cacheYaml}
providers: { mock: { kind: mock } }
models: { chat: { targets: [{ provider: mock, model: mock-1 }] } }
tenants: { t: { keys: ["${hashKey('k')}"], models: ["*"] } }`,
    'test.yaml',
    {},
  );
  return new ResponseCache({ config, state: connectState(config.state, logger), logger, prices: new PriceBook(), now: () => clock.now });
}

const usage = { promptTokens: 1_000_000, completionTokens: 1_000_000, totalTokens: 2_000_000, source: 'upstream' as const };

describe('response cache', () => {
  it('expires entries at their TTL on the fake clock', async () => {
    const clock = { now: 1_000 };
    const cache = cacheAt(clock);
    await cache.save('k', { body: Buffer.from('{}'), storedAt: clock.now, model: 'gpt-4o-mini', usage }, cache.ttlMs);
    clock.now += 10 * 60_000 - 1;
    expect(await cache.lookup('k')).toBeDefined();
    clock.now += 1;
    expect(await cache.lookup('k')).toBeUndefined();
  });

  it('counts hits and what they saved at the answering model\'s price', () => {
    const cache = cacheAt({ now: 0 });
    cache.countHit({ body: Buffer.from('{}'), storedAt: 0, model: 'gpt-4o-mini', usage });
    cache.countHit({ body: Buffer.from('{}'), storedAt: 0, model: 'unknown-model', usage });
    expect(cache.stats.hits).toBe(2);
    expect(cache.stats.savedUsd).toBeCloseTo(0.15 + 0.6, 6);
  });

  it('is off without a cache section, while idempotency stays on', () => {
    const cache = cacheAt({ now: 0 }, '');
    expect(cache.enabled).toBe(false);
    expect(cache.idempotency).toBeDefined();
  });
});
