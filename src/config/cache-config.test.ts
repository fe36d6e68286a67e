import { describe, expect, it } from 'vitest';
import { hashKey } from './keys.ts';
import { ConfigError, parseConfig } from './load.ts';

// The response cache and idempotency part of the config: cache, tenants.*.cache, idempotency.

const configWith = (top: string, tenantExtra = '') => `
${top}
providers:
  mock: { kind: mock }
models:
  chat: { targets: [{ provider: mock, model: mock-1 }] }
tenants:
  evals:
    keys: ["${hashKey('k')}"]
    models: ["*"]
    ${tenantExtra}
`;

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (err) {
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('cache config', () => {
  it('is off when absent; idempotency is on with a 24h window', () => {
    const { config } = parseConfig(configWith(''), 'test.yaml', {});
    expect(config.cache).toBeUndefined();
    expect(config.idempotency).toEqual({ enabled: true, window: 24 * 3_600_000, wait: 30_000, maxBytes: 64 * 1024 * 1024 });
    expect(config.tenants.evals!.cache).toBeUndefined();
  });

  it('takes the documented shape', () => {
    const { config } = parseConfig(
      configWith('cache: { kind: memory, ttl: 1h, maxBytes: 256mb }\nidempotency: { window: 2h }', 'cache: { scope: shared-evals, deterministicOnly: false }'),
      'test.yaml',
      {},
    );
    expect(config.cache).toEqual({ kind: 'memory', ttl: 3_600_000, maxBytes: 256 * 1024 * 1024, maxEntryBytes: 2 * 1024 * 1024 });
    expect(config.idempotency.window).toBe(2 * 3_600_000);
    expect(config.tenants.evals!.cache).toEqual({ enabled: true, scope: 'shared-evals', deterministicOnly: false });
  });

  it('refuses a Redis cache without Redis state, and unknown keys', () => {
    expect(problemsOf(configWith('cache: { kind: redis }')).join('\n')).toMatch(/cache\.kind.*state\.url/);
    expect(problemsOf(configWith('cache: { kind: memory, ttl: 0 }')).join('\n')).toMatch(/cache\.ttl/);
    expect(problemsOf(configWith('cache: { kind: disk }')).join('\n')).toMatch(/cache\.kind/);
    expect(problemsOf(configWith('', 'cache: { scope: "a b" }')).join('\n')).toMatch(/tenants\.evals\.cache\.scope/);
    expect(problemsOf(configWith('idempotency: { windw: 1h }')).join('\n')).toMatch(/windw/);
  });
});
