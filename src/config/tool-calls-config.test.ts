import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.ts';

const base = (extra: string, tenantExtra = '') => `
providers: { mock: { kind: mock } }
models: { m: { targets: [{ provider: mock, model: x }] } }
${extra}
tenants:
  support-bot:
    keys: ["sha256:${'a'.repeat(64)}"]
    models: ["*"]
${tenantExtra}`;

describe('tool-call config', () => {
  it('takes the documented shape: policies.toolCalls and tenant tools tiers and overrides', () => {
    const { config } = parseConfig(
      base(
        'policies: { toolCalls: { mode: enforce, onInvalid: repair, maxRepairs: 2, maxArgumentBytes: 64kb } }',
        '    tools: { allow: ["search_*", "get_*"], approve: [issue_refund, send_email], deny: [delete_customer_data] }\n    policies: { toolCalls: { mode: shadow } }\n',
      ),
      't.yaml',
      {},
    );
    expect(config.policies.toolCalls).toMatchObject({ mode: 'enforce', onInvalid: 'repair', maxRepairs: 2, maxArgumentBytes: 65536 });
    expect(config.tenants['support-bot']!.tools).toEqual({ allow: ['search_*', 'get_*'], approve: ['issue_refund', 'send_email'], deny: ['delete_customer_data'] });
    expect(config.tenants['support-bot']!.policies).toEqual({ toolCalls: { mode: 'shadow' } });
  });

  it('refuses unknown keys and values, naming the path', () => {
    expect(() => parseConfig(base('policies: { toolCalls: { onInvalid: ignore } }'), 't.yaml', {})).toThrow(/policies\.toolCalls\.onInvalid/);
    expect(() => parseConfig(base('', '    tools: { allowed: [x] }\n'), 't.yaml', {})).toThrow(/tenants\.support-bot\.tools/);
    expect(() => parseConfig(base('policies: { toolCalls: { maxRepairs: 0 } }'), 't.yaml', {})).toThrow(/maxRepairs/);
  });
});
