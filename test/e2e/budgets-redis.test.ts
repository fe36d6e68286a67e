import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../support/redis-server.ts';
import { eventually, startBudgetHarness, type BudgetHarness } from './budget-harness.ts';

// Budgets in Redis through the real server, with the test's own redis-server that it stops
// and starts again: deny answers 503 while it is down, allow serves from local state, and
// both pick Redis up again without a restart.

const open: Array<BudgetHarness | TestRedis> = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await ('gateway' in thing ? thing.close() : thing.stop());
});

async function setup(onUnavailable: 'deny' | 'allow') {
  const redis = await startRedis();
  open.push(redis);
  const h = await startBudgetHarness({
    budgets: '[{ window: day, tokens: 100000 }, { window: minute, requests: 1000 }]',
    extra: `state: { kind: redis, url: "${redis.url}", onUnavailable: ${onUnavailable}, keyPrefix: "t${randomUUID().slice(0, 8)}:" }`,
  });
  open.push(h);
  h.fake.setDefault({ usage: { prompt_tokens: 10, completion_tokens: 5 } });
  return { redis, h };
}

const errorCode = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;

describe('budgets in Redis', () => {
  it('deny: Redis down is 503 state_unavailable without calling upstream; back up, it is used again', async () => {
    const { redis, h } = await setup('deny');
    expect((await h.chat({ max_tokens: 10 })).status).toBe(200);
    expect((await h.usage())['day.tokens']!.used).toBe(15);

    await redis.stop();
    const sent = h.fake.requests.length;
    const down = await h.chat({ max_tokens: 10 });
    expect(down.status).toBe(503);
    expect(await errorCode(down)).toBe('state_unavailable');
    expect(down.headers.get('retry-after')).toBe('1');
    expect(h.fake.requests.length).toBe(sent);

    // A new server on the same port (empty: the old one kept nothing on disk).
    open.push(await startRedis({ port: redis.port }));
    await eventually(async () => expect((await h.chat({ max_tokens: 10 })).status).toBe(200), 8_000);
    expect((await h.usage())['day.tokens']!).toMatchObject({ used: 15, reserved: 0 });
  });

  it('allow: Redis down serves from local state', async () => {
    const { redis, h } = await setup('allow');
    await redis.stop();
    const local = await h.chat({ max_tokens: 10 });
    expect(local.status).toBe(200);
    expect(local.headers.get('x-ratelimit-limit-requests')).toBe('1000');
    expect((await h.usage())['day.tokens']!.used).toBe(15);
  });

  for (const policy of ['deny', 'allow'] as const) {
    it(`${policy}: a settle owed to Redis while it is down is delivered when it is back`, async () => {
      const { redis, h } = await setup(policy);
      h.fake.setDefault({ usage: { prompt_tokens: 10, completion_tokens: 5 }, chunks: 5, chunkDelayMs: 100 });
      // A stream reserved in Redis, which goes away before the stream ends.
      const streaming = await h.chat({ max_tokens: 10, stream: true });
      expect(streaming.status).toBe(200);
      await redis.stop();
      await streaming.text();
      open.push(await startRedis({ port: redis.port }));
      // The stream's settle arrives in the new (empty) Redis: its usage is not lost.
      await eventually(async () => expect((await h.usage())['day.tokens']!).toMatchObject({ used: 15, reserved: 0 }), 8_000);
    });
  }
});
