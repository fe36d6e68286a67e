import { describe, expect, it } from 'vitest';
import { hashKey } from '../config/keys.ts';
import { ConfigError, parseConfig } from '../config/load.ts';
import { buildProviders } from '../providers/registry.ts';
import { buildModelTable } from './model-table.ts';
import { routingOf } from './target-routing.ts';

// The routing keys of `models` (retries, breaker, weight, deadlines, concurrency) as users
// write them, with their defaults, resolved into what the fallback loop reads.

const config = (models: string, providerExtra = '') => `
providers:
  up: { kind: openai, baseUrl: "http://127.0.0.1:1/v1", timeouts: { firstByte: 30s, idle: 20s, total: 5m }${providerExtra} }
  mock: { kind: mock }
models:
${models}
tenants:
  team: { keys: ["${hashKey('k')}"], models: ["*"] }
`;

function table(models: string, providerExtra = '') {
  const loaded = parseConfig(config(models, providerExtra), 'test.yaml', {});
  return buildModelTable(loaded.config, buildProviders(loaded));
}

describe('target routing from config', () => {
  it('defaults: 2 retries, breaker 5 failures / 30 s, no weight, the provider deadlines, no limits', () => {
    const routing = routingOf(table('  chat: { targets: [{ provider: up, model: m }] }').get('chat')!.targets[0]!);
    expect(routing).toEqual({
      key: 'up/m',
      weight: undefined,
      retries: 2,
      breaker: { failures: 5, cooldownMs: 30_000 },
      timeouts: { firstByte: 30_000, idle: 20_000, total: 300_000 },
      deadlineMs: 600_000,
      limits: [],
    });
  });

  it('reads the documented shape: weights, retries, breaker, per-target deadlines and caps', () => {
    const models = `
  gpt:
    targets:
      - { provider: up, model: a, weight: 3, timeouts: { firstByte: 2s }, maxConcurrent: 4 }
      - { provider: up, model: b, weight: 1 }
      - { provider: mock, model: local }
    retries: 1
    breaker: { failures: 3, cooldown: 10s }
    deadline: 45s
  nobreaker: { targets: [{ provider: up, model: a }], breaker: false, retries: 0 }
`;
    const models2 = table(models, ', maxConcurrent: 100, maxQueued: 5, queueTimeout: 500ms');
    const [a, b, local] = models2.get('gpt')!.targets.map(routingOf);
    expect(a).toMatchObject({ key: 'up/a', weight: 3, retries: 1, breaker: { failures: 3, cooldownMs: 10_000 }, deadlineMs: 45_000 });
    expect(a!.timeouts).toEqual({ firstByte: 2000, idle: 20_000, total: 300_000 });
    expect(a!.limits.map((l) => l.name)).toEqual(['provider up', 'target up/a']);
    expect(b!.weight).toBe(1);
    expect(b!.limits.map((l) => l.name)).toEqual(['provider up']);
    // One provider limit, shared by every target on it.
    expect(b!.limits[0]).toBe(a!.limits[0]);
    expect(local).toMatchObject({ key: 'mock/local', weight: undefined, timeouts: {}, limits: [] });
    expect(routingOf(models2.get('nobreaker')!.targets[0]!)).toMatchObject({ breaker: undefined, retries: 0 });
    const rated = table('  chat: { targets: [{ provider: up, model: m }], breaker: { errorRate: 0.5, window: 2m } }');
    expect(routingOf(rated.get('chat')!.targets[0]!).breaker).toEqual({ failures: 5, cooldownMs: 30_000, errorRate: { rate: 0.5, windowMs: 120_000, minRequests: 20 } });
  });

  it('rejects what it does not know, naming the path', () => {
    const problems = (() => {
      try {
        table('  chat: { targets: [{ provider: up, model: m, weight: 0, timeouts: { connect: 1s } }], retries: 99, breaker: { failure: 2 } }');
      } catch (err) {
        return (err as ConfigError).problems;
      }
      return [];
    })();
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^models\.chat\.targets\[0\]\.weight: /),
        expect.stringMatching(/^models\.chat\.targets\[0\]\.timeouts: unknown key "connect"/),
        expect.stringMatching(/^models\.chat\.retries: /),
        expect.stringMatching(/^models\.chat\.breaker/),
      ]),
    );
  });
});
