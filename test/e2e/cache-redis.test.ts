import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Harness } from './harness.ts';
import { startCacheHarness, uniqueChat, upstreamCalls } from './cache-harness.ts';

// Two replicas sharing one Redis: the cache and idempotency records are shared between them.

let a: Harness;
let b: Harness;
beforeAll(async () => {
  const prefix = `c${randomUUID().slice(0, 8)}:`;
  const topLevel = `state: { kind: redis, url: "${inject('redisUrl')}", keyPrefix: "${prefix}" }`;
  const cache = 'cache: { kind: redis, ttl: 1h }';
  [a, b] = await Promise.all([startCacheHarness({ topLevel, cache }), startCacheHarness({ topLevel, cache })]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
});

describe('cache and idempotency in Redis', () => {
  it('serves on one replica what another stored', async () => {
    const body = uniqueChat();
    const first = await a.post('/v1/chat/completions', body);
    expect(first.headers.get('x-tollgate-cache')).toBe('miss');
    // The store is written as the first answer goes out: wait until replica a itself reads it back.
    for (let i = 0; i < 50; i++) {
      const again = await a.post('/v1/chat/completions', body, { headers: { 'cache-control': 'max-age=3600' } });
      if (again.headers.get('x-tollgate-cache') === 'hit') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = upstreamCalls(b);
    const second = await b.post('/v1/chat/completions', body);
    expect(second.headers.get('x-tollgate-cache')).toBe('hit');
    expect(await second.text()).toBe(await first.text());
    expect(upstreamCalls(b) - before).toBe(0);
  });

  it('answers an Idempotency-Key once across replicas, the duplicate waiting for the first', async () => {
    const headers = { 'idempotency-key': `k-${randomUUID()}` };
    const body = uniqueChat({ temperature: 1 });
    a.fake.enqueue({ latencyMs: 200 });
    const beforeA = upstreamCalls(a);
    const beforeB = upstreamCalls(b);
    const [first, duplicate] = await Promise.all([
      a.post('/v1/chat/completions', body, { headers }),
      new Promise((r) => setTimeout(r, 50)).then(() => b.post('/v1/chat/completions', body, { headers })),
    ]);
    expect(first.status).toBe(200);
    expect(duplicate.status).toBe(200);
    expect(duplicate.headers.get('x-tollgate-idempotent-replay')).toBe('true');
    expect(await duplicate.text()).toBe(await first.text());
    expect(upstreamCalls(a) - beforeA + upstreamCalls(b) - beforeB).toBe(1);

    const other = await b.post('/v1/chat/completions', uniqueChat(), { headers });
    expect(other.status).toBe(422);
  });
});
