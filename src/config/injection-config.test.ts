import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.ts';

const config = (policies: string, tenantExtra = '') => `
${policies}
providers:
  p: { kind: mock }
models:
  m: { targets: [{ provider: p, model: m }] }
tenants:
  t:
    keys: ["sha256:${'a'.repeat(64)}"]
    models: ["*"]
${tenantExtra}
`;

const parse = (policies: string, tenantExtra = '') => parseConfig(config(policies, tenantExtra), 'test.yaml', {}).config;
const problems = (policies: string, tenantExtra = ''): readonly string[] => {
  try {
    parse(policies, tenantExtra);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('policies.injection', () => {
  it('takes the documented shape, with defaults', () => {
    const c = parse('policies: { injection: { mode: enforce, channels: [user, tool], action: { user: block, tool: spotlight } } }');
    expect(c.policies.injection).toEqual({ mode: 'enforce', channels: ['user', 'tool'], action: { user: 'block', tool: 'spotlight' }, threshold: {} });
    expect(parse('policies: { injection: {} }').policies.injection!.action).toEqual({ user: 'block', tool: 'spotlight' });
    expect(parse('').policies.injection).toBeUndefined();
  });

  it('takes thresholds per channel and an external classifier', () => {
    const c = parse('policies: { injection: { threshold: { user: 0.8, tool: 0.9 }, external: { url: "http://127.0.0.1:9/classify", timeout: 500ms, onError: failClosed } } }');
    expect(c.policies.injection!.threshold).toEqual({ user: 0.8, tool: 0.9 });
    expect(c.policies.injection!.external).toMatchObject({ kind: 'http', timeout: 500, onError: 'failClosed', greyZone: { low: 0.3, high: 0.9 } });
  });

  it('refuses what it does not know, naming the path', () => {
    expect(problems('policies: { injection: { mode: audit } }').join()).toContain('policies.injection.mode');
    expect(problems('policies: { injection: { action: { user: spotlight } } }').join()).toContain('policies.injection.action.user');
    expect(problems('policies: { injection: { threshold: { user: 2 } } }').join()).toContain('policies.injection.threshold.user');
    expect(problems('policies: { injection: { channels: [user, user] } }').join()).toContain('policies.injection.channels');
    expect(problems('policies: { injection: { tresholds: {} } }').join()).toContain('tresholds');
    expect(problems('policies: { injection: { external: { kind: openai, url: "http://x.example/v1" } } }').join()).toContain('model');
  });

  it('a tenant may override it; unknown override keys are refused', () => {
    const c = parse('', '    policies: { injection: { mode: shadow } }');
    expect(c.tenants.t!.policies).toEqual({ injection: { mode: 'shadow' } });
    expect(problems('', '    policies: { injection: { mode: shadow, external: {} } }').join()).toContain('external');
    expect(problems('', '    policies: { nonsense: {} }').join()).toContain('nonsense');
  });
});
