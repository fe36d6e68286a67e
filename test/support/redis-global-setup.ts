import type { TestProject } from 'vitest/node';
import { startRedis } from './redis-server.ts';

// One Redis for the whole test run, shared by every test file (each uses its own key
// prefix): `inject('redisUrl')` in a test gives its URL.

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const redis = await startRedis();
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
