// The config edges a new user meets first: interpolated numbers and booleans, unbraced
// variables, `models: "*"`, YAML merge keys, and errors that lead with their cause.
import { describe, expect, it } from 'vitest';
import { hashKey } from './keys.ts';
import { ConfigError, parseConfig } from './load.ts';
import { closest } from './problems.ts';

const KEY = hashKey('key-a');
const REST = `
models:
  chat: { targets: [{ provider: mock, model: mock-1 }] }
tenants:
  team: { keys: ["${KEY}"], models: [chat] }
`;
const MINIMAL = `providers:\n  mock: { kind: mock }\n${REST}`;

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('interpolated values are read as the schema expects', () => {
  it('fills numbers, booleans, durations and sizes from variables and fallbacks', () => {
    // Block style, as written in practice: in a flow mapping `{ }` an unquoted `${` is a YAML error.
    const text = `server:
  port: \${PORT:-8787}
  allowDemoKey: \${DEMO}
  drainTimeout: \${DRAIN}
  maxBufferedBodyBytes: \${BUF}
logging:
  requests: \${LOG_REQUESTS:-false}
policies:
  limits:
    maxBodyBytes: \${MAX_BODY}
${MINIMAL}`;
    const { config } = parseConfig(text, 't.yaml', { DEMO: 'true', DRAIN: '5000', BUF: '2mb', MAX_BODY: '1024' });
    expect(config.server.port).toBe(8787);
    expect(config.server.allowDemoKey).toBe(true);
    expect(config.server.drainTimeout).toBe(5000);
    expect(config.server.maxBufferedBodyBytes).toBe(2 * 1024 * 1024);
    expect(config.logging.requests).toBe(false);
    expect(config.policies.limits.maxBodyBytes).toBe(1024);
    expect(parseConfig(`server:\n  port: \${PORT:-8787}\n${MINIMAL}`, 't.yaml', { PORT: '9001' }).config.server.port).toBe(9001);
  });

  it('keeps string fields strings, and a bad number is still an error at its path', () => {
    const { config } = parseConfig(`providers:\n  mock: { kind: mock }\n  o: { kind: openai, baseUrl: "http://x/v1", apiKey: "\${KEY}" }\n${REST}`, 't.yaml', { KEY: '12345' });
    expect(config.providers.o).toMatchObject({ apiKey: '12345' });
    expect(problemsOf(`server:\n  port: \${PORT}\n${MINIMAL}`, { PORT: 'eighty' })).toEqual(['server.port: Invalid input: expected number, received string']);
    // Written as a string by hand (not interpolated): still a type error, as before.
    expect(problemsOf(`server: { port: "8787" }\n${MINIMAL}`)).toEqual(['server.port: Invalid input: expected number, received string']);
  });
});

describe('unbraced variable references', () => {
  it('refuses $NAME with the braced form in the message', () => {
    const text = `providers:\n  mock: { kind: mock }\n  azure: { kind: openai, baseUrl: "https://r.openai.azure.com/openai/v1", apiKey: $AZURE_OPENAI_API_KEY }\n${REST}`;
    expect(problemsOf(text, { AZURE_OPENAI_API_KEY: 'secret' })).toEqual([
      'providers.azure.apiKey: "$AZURE_OPENAI_API_KEY" is not replaced: write ${AZURE_OPENAI_API_KEY} for the environment variable (or $$AZURE_OPENAI_API_KEY for the text itself)',
    ]);
  });

  it('flags an upper-case $NAME inside a value; $$NAME is the literal text; prices and lower-case words pass', () => {
    expect(problemsOf(`server: { adminKey: "Bearer-$ADMIN_KEY" }\n${MINIMAL}`)[0]).toMatch(/^server\.adminKey: "\$ADMIN_KEY" is not replaced/);
    expect(parseConfig(`server: { adminKey: "a$$ADMIN_KEY" }\n${MINIMAL}`, 't.yaml', {}).config.server.adminKey).toBe('a$ADMIN_KEY');
    expect(parseConfig(`server: { adminKey: "cost $5 pa$sword" }\n${MINIMAL}`, 't.yaml', {}).config.server.adminKey).toBe('cost $5 pa$sword');
  });
});

describe('tenant models', () => {
  it('accepts models: "*" as well as ["*"]', () => {
    const star = parseConfig(MINIMAL.replace('models: [chat]', 'models: "*"'), 't.yaml', {});
    expect(star.config.tenants.team!.models).toEqual(['*']);
    expect(parseConfig(MINIMAL.replace('models: [chat]', 'models: ["*"]'), 't.yaml', {}).config.tenants.team!.models).toEqual(['*']);
    expect(problemsOf(MINIMAL.replace('models: [chat]', 'models: "chat"'))).toEqual(['tenants.team.models: Invalid input: expected array, received string']);
  });
});

describe('YAML merge keys', () => {
  it('reuse one provider block across deployments, overriding a key', () => {
    const text = `
providers:
  mock: { kind: mock }
  gpt4o: &azure
    kind: openai
    apiKeyHeader: api-key
    apiKey: \${AZ_KEY}
    query: { api-version: "2024-10-21" }
    baseUrl: https://r.openai.azure.com/openai/deployments/gpt-4o
  mini:
    <<: *azure
    baseUrl: https://r.openai.azure.com/openai/deployments/mini
${REST}`;
    const { config } = parseConfig(text, 't.yaml', { AZ_KEY: 'k' });
    expect(config.providers.mini).toMatchObject({ kind: 'openai', apiKeyHeader: 'api-key', apiKey: 'k', query: { 'api-version': '2024-10-21' } });
    expect(config.providers.mini).toMatchObject({ baseUrl: 'https://r.openai.azure.com/openai/deployments/mini' });
  });
});

describe('errors lead with their cause', () => {
  it('a misspelled section: the unknown key first, with "did you mean", and what follows from it folded in', () => {
    const problems = problemsOf(MINIMAL.replace('providers:', 'provders:'));
    expect(problems).toEqual(['(root): unknown key "provders" (did you mean "providers"?); so "providers" is missing (1 problem that follow from it not shown)']);
  });

  it('baseURL: the unknown key with its suggestion, no separate "missing baseUrl"', () => {
    const problems = problemsOf(`providers:
  mock: { kind: mock }
  o: { kind: openai, baseURL: "http://x/v1" }
${REST}`);
    expect(problems).toEqual(['providers.o: unknown key "baseURL" (did you mean "baseUrl"?); so "baseUrl" is missing']);
  });

  it('unknown keys come before other errors; far-off names get no suggestion', () => {
    const problems = problemsOf(`server: { port: -1, colour: blue }
${MINIMAL}`);
    expect(problems).toEqual(['server: unknown key "colour"', expect.stringMatching(/^server\.port: /)]);
  });

  it('closest() matches case and small typos only', () => {
    expect(closest('baseurl', ['baseUrl', 'apiKey'])).toBe('baseUrl');
    expect(closest('tenents', ['tenants', 'models'])).toBe('tenants');
    expect(closest('colour', ['host', 'port'])).toBeUndefined();
  });
});
