import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../test/support/redis-server.ts';
import { GatewayError } from '../proxy/errors.ts';
import { connectState, type SharedState } from './shared-state.ts';

const logger = pino({ level: 'silent' });
const open: Array<SharedState | TestRedis> = [];
afterEach(async () => {
  for (const thing of open.splice(0)) await ("stop" in thing ? thing.stop() : thing.close());
});

async function redisAndState(onUnavailable: 'deny' | 'allow'): Promise<{ redis: TestRedis; state: SharedState }> {
  const redis = await startRedis();
  const state = connectState({ kind: 'redis', url: redis.url, onUnavailable, keyPrefix: 't:' }, logger);
  open.push(state, redis);
  expect(await state.ready(5_000)).toBe(true);
  return { redis, state };
}

const incr = (state: SharedState) => () => state.redis!.incr(`${state.keyPrefix}n`);

describe('shared state', () => {
  it('memory kind always runs the local operation', async () => {
    const state = connectState({ kind: 'memory' }, logger);
    expect(await state.guarded(async () => 'remote', () => 'local', 'test')).toBe('local');
  });

  it('runs against Redis while it answers', async () => {
    const { state } = await redisAndState('deny');
    expect(await state.guarded(incr(state), () => -1, 'test')).toBe(1);
  });

  it('deny: a dead Redis is a 503 state_unavailable, quickly, and nothing queues', async () => {
    const { redis, state } = await redisAndState('deny');
    await redis.stop();
    const err = await state.guarded(incr(state), () => -1, 'test').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('state_unavailable');
    expect((err as GatewayError).status).toBe(503);
  });

  it('allow: a dead Redis falls back to local state and counts it', async () => {
    const { redis, state } = await redisAndState('allow');
    await redis.stop();
    expect(await state.guarded(incr(state), () => -1, 'test')).toBe(-1);
    expect(state.fallbacks).toBe(1);
  });

  it('a script error is a bug, not an outage: it is thrown as is', async () => {
    const { state } = await redisAndState('allow');
    const bad = () => state.redis!.eval('return redis.call("NOSUCHCOMMAND")', 0);
    await expect(state.guarded(bad, () => 'local', 'test')).rejects.toThrow(/Unknown Redis command/);
  });
});
