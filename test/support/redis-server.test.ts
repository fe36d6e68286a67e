import { Redis } from 'ioredis';
import { expect, inject, it } from 'vitest';

it('the test run has its own real Redis', async () => {
  const redis = new Redis(inject('redisUrl'), { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    await redis.set('tollgate-test:ping', 'pong', 'EX', 10);
    expect(await redis.get('tollgate-test:ping')).toBe('pong');
  } finally {
    redis.disconnect();
  }
});
