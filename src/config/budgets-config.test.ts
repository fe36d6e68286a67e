import { describe, expect, it } from 'vitest';
import { hashKey } from './keys.ts';
import { ConfigError, parseConfig } from './load.ts';

// The budgets, adminKey and policies.budgets parts of the config.

const config = (budgets: string, server = '') => `
${server}
providers:
  mock: { kind: mock }
models:
  chat: { targets: [{ provider: mock, model: mock-1 }] }
tenants:
  team:
    keys: ["${hashKey('k')}"]
    models: [chat]
    budgets: ${budgets}
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseConfig(text, 'b.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('budgets config', () => {
  it('accepts the documented shape, with per-model limits', () => {
    const { config: c } = parseConfig(
      config('[{ window: month, usd: 500 }, { window: day, tokens: 20000000 }, { window: minute, requests: 600 }, { window: day, usd: 50, model: chat }]'),
      'b.yaml',
      {},
    );
    expect(c.tenants.team!.budgets).toHaveLength(4);
    expect(c.policies.budgets).toEqual({ defaultMaxTokens: 4096, reservationTtl: 900_000 });
  });

  it('needs exactly one measure per limit', () => {
    expect(problems(config('[{ window: day }]'))).toEqual([expect.stringMatching(/^tenants\.team\.budgets\[0\]: give exactly one of .*got none/)]);
    expect(problems(config('[{ window: day, usd: 1, tokens: 5 }]'))).toEqual([expect.stringMatching(/got tokens, usd/)]);
  });

  it('refuses negative, fractional token counts, unknown windows and keys, duplicates and unknown models', () => {
    expect(problems(config('[{ window: day, usd: -1 }]'))[0]).toMatch(/budgets\[0\]\.usd/);
    expect(problems(config('[{ window: day, tokens: 1.5 }]'))[0]).toMatch(/budgets\[0\]\.tokens/);
    expect(problems(config('[{ window: week, tokens: 1 }]'))[0]).toMatch(/budgets\[0\]\.window/);
    expect(problems(config('[{ window: day, tokens: 1, burst: 2 }]'))[0]).toMatch(/unknown key "burst"/);
    expect(problems(config('[{ window: day, tokens: 1 }, { window: day, tokens: 2 }]'))).toEqual([
      expect.stringMatching(/^tenants\.team\.budgets\[1\]: a second day tokens limit/),
    ]);
    expect(problems(config('[{ window: day, tokens: 1, model: nope }]'))).toEqual(['tenants.team.budgets[0].model: unknown model "nope" (a budget names a model alias)']);
  });

  it('a reservation must hold long enough to matter', () => {
    const text = config('[]').replace('providers:', 'policies: { budgets: { reservationTtl: 0 } }\nproviders:');
    expect(problems(text)).toEqual(['policies.budgets.reservationTtl: a reservation must hold for at least 1s']);
  });

  it('an admin key naming an unset variable turns the admin endpoints off instead of failing', () => {
    const text = config('[]', 'server: { adminKey: "${TOLLGATE_ADMIN_KEY}" }');
    expect(parseConfig(text, 'b.yaml', {}).config.server.adminKey).toBeUndefined();
    expect(parseConfig(text, 'b.yaml', { TOLLGATE_ADMIN_KEY: 'secret' }).config.server.adminKey).toBe('secret');
    // Any other unset variable is still an error.
    expect(problems(config('[]', 'server: { host: "${UNSET_HOST}" }'))).toEqual(['server.host: environment variable UNSET_HOST is not set']);
  });
});
