import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, inject } from 'vitest';
import { approvalStoreContract } from '../../../test/support/approval-store-contract.ts';
import { RedisApprovalStore } from './redis-approval-store.ts';

const redis = new Redis(inject('redisUrl'), { lazyConnect: false });
afterAll(() => redis.quit());

// A fresh prefix per store, so tests never see each other's records.
approvalStoreContract('redis', () => new RedisApprovalStore(redis, `test:${randomUUID()}:`, 1000));
