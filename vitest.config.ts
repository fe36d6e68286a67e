import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // End-to-end tests start real servers on ephemeral ports; files run in parallel workers.
    pool: 'forks',
    // A throwaway redis-server (from PATH) for the tests that need real Redis.
    globalSetup: ['./test/support/redis-global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
