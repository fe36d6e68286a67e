import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './load.ts';

// The `server` section's guards for clients: the shape users write.

const REST = `
providers: { mock: { kind: mock } }
models: { m: { targets: [{ provider: mock, model: x }] } }
tenants: {}
`;

const server = (yaml: string) => parseConfig(`server:\n${yaml}\n${REST}`, 'test.yaml', {}).config.server;

function problemsOf(yaml: string): readonly string[] {
  try {
    server(yaml);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('server timeouts and limits', () => {
  it('reads durations, the connection cap and the body budget', () => {
    const s = server('  timeouts: { headers: 5s, body: 1m, send: 90s }\n  maxConnections: 500\n  maxBufferedBodyBytes: 64mb\n  allowDemoKey: true');
    expect(s.timeouts).toEqual({ headers: 5_000, body: 60_000, send: 90_000 });
    expect(s.maxConnections).toBe(500);
    expect(s.maxBufferedBodyBytes).toBe(64 * 1024 * 1024);
    expect(s.allowDemoKey).toBe(true);
  });

  it('fills the timeouts it is not given', () => {
    expect(server('  timeouts: { send: 5s }').timeouts).toEqual({ headers: 10_000, body: 30_000, send: 5_000 });
  });

  it('refuses a zero timeout, an unknown timeout and a cap below 1, naming each path', () => {
    const problems = problemsOf('  timeouts: { send: 0, idle: 5s }\n  maxConnections: 0');
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^server\.timeouts\.send: must be longer than 0/),
        expect.stringMatching(/^server\.timeouts: .*idle/),
        expect.stringMatching(/^server\.maxConnections: /),
      ]),
    );
  });
});
