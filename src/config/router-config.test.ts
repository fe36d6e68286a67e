import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.ts';

const config = (models: string) => `
providers:
  p: { kind: mock }
models:
${models}
tenants:
  t:
    keys: ["sha256:${'a'.repeat(64)}"]
    models: ["*"]
`;

const problems = (models: string): readonly string[] => {
  try {
    parseConfig(config(models), 'test.yaml', {});
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

const SIDES = `
  small: { targets: [{ provider: p, model: s }] }
  big: { targets: [{ provider: p, model: b }] }`;

describe('router models in the config', () => {
  it('accepts a router over two target aliases, threshold defaulting to 0.5', () => {
    const loaded = parseConfig(config(`${SIDES}\n  auto: { router: { cheap: small, strong: big } }`), 'test.yaml', {});
    expect(loaded.config.models.auto).toMatchObject({ router: { cheap: 'small', strong: 'big', threshold: 0.5 } });
  });

  it('reports a model with both forms, or neither', () => {
    expect(problems(`${SIDES}\n  auto: { targets: [{ provider: p, model: x }], router: { cheap: small, strong: big } }\n  none: {}`)).toEqual([
      'models.auto: a model has "targets" or "router", not both',
      'models.none: a model needs "targets" or "router"',
    ]);
  });

  it('reports a threshold outside 0..1 and unknown keys at their paths', () => {
    expect(problems(`${SIDES}\n  auto: { router: { cheap: small, strong: big, threshold: 1.5, mode: x } }`)).toEqual([
      'models.auto.router: unknown key "mode"',
      'models.auto.router.threshold: expected a number from 0 to 1',
    ]);
  });

  it('reports sides that name no model, or another router', () => {
    expect(problems(`${SIDES}\n  auto: { router: { cheap: ghost, strong: big } }\n  auto2: { router: { cheap: small, strong: auto } }`)).toEqual([
      'models.auto.router.cheap: unknown model "ghost"',
      'models.auto2.router.strong: "auto" is not a model with targets (a router\'s sides cannot be routers)',
    ]);
  });
});
