import { describe, expect, it } from 'vitest';
import { hashKey } from './keys.ts';
import { ConfigError, parseConfig } from './load.ts';

// The agent-run guard part of the config: tenants.*.runs and server.runIdHeader.

const configWith = (runs: string, server = '') => `
${server}
providers:
  mock: { kind: mock }
models:
  chat: { targets: [{ provider: mock, model: mock-1 }] }
tenants:
  search-team:
    keys: ["${hashKey('k')}"]
    models: ["*"]
    ${runs}
`;

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, 'test.yaml', {});
  } catch (err) {
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('tenants.*.runs', () => {
  it('takes every limit, durations in words', () => {
    const { config } = parseConfig(
      configWith('runs: { maxSteps: 50, maxTokens: 400000, maxUsd: 5, maxToolCalls: 100, maxRepeatedToolCalls: 3, idleTimeout: 30m }'),
      't.yaml',
      {},
    );
    expect(config.tenants['search-team']!.runs).toEqual({ maxSteps: 50, maxTokens: 400_000, maxUsd: 5, maxToolCalls: 100, maxRepeatedToolCalls: 3, idleTimeout: 1_800_000 });
  });

  it('every key is optional; idleTimeout defaults to 30 minutes; no runs means no guards', () => {
    expect(parseConfig(configWith('runs: {}'), 't.yaml', {}).config.tenants['search-team']!.runs).toEqual({ idleTimeout: 1_800_000 });
    expect(parseConfig(configWith(''), 't.yaml', {}).config.tenants['search-team']!.runs).toBeUndefined();
  });

  it('rejects unknown keys and impossible limits, naming the path', () => {
    const problems = problemsOf(configWith('runs: { maxStep: 5, maxRepeatedToolCalls: 0, maxUsd: -1, idleTimeout: 10ms }'));
    expect(problems.join('\n')).toContain('tenants.search-team.runs');
    expect(problems.some((p) => p.includes('maxStep'))).toBe(true);
    expect(problems.some((p) => p.includes('runs.maxRepeatedToolCalls'))).toBe(true);
    expect(problems.some((p) => p.includes('runs.maxUsd'))).toBe(true);
    expect(problems.some((p) => p.includes('runs.idleTimeout'))).toBe(true);
  });
});

describe('server.runIdHeader', () => {
  it('defaults to x-tollgate-run-id and is matched in lower case', () => {
    expect(parseConfig(configWith(''), 't.yaml', {}).config.server.runIdHeader).toBe('x-tollgate-run-id');
    expect(parseConfig(configWith('', 'server: { runIdHeader: X-Agent-Run }'), 't.yaml', {}).config.server.runIdHeader).toBe('x-agent-run');
  });

  it('must be a header name', () => {
    expect(problemsOf(configWith('', 'server: { runIdHeader: "x run" }')).join('\n')).toContain('server.runIdHeader');
  });
});
