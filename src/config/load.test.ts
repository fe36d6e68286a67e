// Config loading: load.ts end to end, plus the parts it is built from (schema.ts, units.ts,
// interpolate.ts, references.ts, keys.ts, json-schema.ts), in one file to keep the suite fast.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashKey } from './keys.ts';
import { ConfigError, formatPath, loadConfigFile, parseConfig, type LoadedConfig } from './load.ts';

const KEY_A = hashKey('key-a');
const KEY_B = hashKey('key-b');

// The smallest valid config; tests append or swap sections.
const MINIMAL = `
providers:
  mock: { kind: mock }
models:
  chat: { targets: [{ provider: mock, model: mock-1 }] }
tenants:
  team: { keys: ["${KEY_A}"], models: [chat] }
`;

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseConfig(text, 'test.yaml', env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

function load(text: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  return parseConfig(text, 'test.yaml', env);
}

describe('parseConfig defaults', () => {
  it('fills every default in', () => {
    const { config, disabledProviders, source } = load(MINIMAL);
    expect(source).toBe('test.yaml');
    expect(disabledProviders.size).toBe(0);
    expect(config.server).toEqual({
      host: '0.0.0.0',
      port: 8787,
      drainTimeout: 30_000,
      keepAliveTimeout: 65_000,
      timeouts: { headers: 10_000, body: 30_000, send: 60_000 },
      maxConnections: 10_000,
      maxBufferedBodyBytes: 128 * 1024 * 1024,
      allowDemoKey: false,
      runIdHeader: 'x-tollgate-run-id',
      responses: { ttl: 86_400_000, maxMemoryEntries: 10_000, maxMemoryBytes: 256 * 1024 * 1024 },
    });
    expect(config.logging).toEqual({ level: 'info', requests: true, format: 'auto' });
    expect(config.policies).toEqual({
      limits: { maxBodyBytes: 4 * 1024 * 1024, maxMessages: 2000, maxDepth: 64, maxKeys: 100_000, maxObjectKeys: 10_000 },
      budgets: { defaultMaxTokens: 4096, reservationTtl: 900_000 },
      toolCalls: { mode: 'enforce', onInvalid: 'reject', maxRepairs: 1, maxArgumentBytes: 256 * 1024, maxCalls: 64, responseFormat: true },
    });
    expect(config.providers.mock).toEqual({ kind: 'mock', latency: 0, chunkDelay: 0 });
  });

  it('fills openai provider defaults, including nested timeouts', () => {
    const { config } = load(`${MINIMAL}
  other: { keys: ["${KEY_B}"], models: ["*"] }
`.replace('providers:\n', 'providers:\n  oa: { kind: openai, baseUrl: "https://api.example.com/v1", apiKey: sk-test }\n'));
    expect(config.providers.oa).toEqual({
      kind: 'openai',
      baseUrl: 'https://api.example.com/v1',
      apiKey: 'sk-test',
      apiKeyHeader: 'authorization',
      headers: {},
      query: {},
      timeouts: { connect: 10_000, firstByte: 120_000, idle: 120_000, total: 600_000 },
      maxConnections: 512,
      maxResponseBytes: 64 * 1024 * 1024,
    });
    expect(config.tenants.other).toEqual({ keys: [KEY_B], models: ['*'] });
  });

  it('keeps explicitly given values over defaults', () => {
    const { config } = load(`${MINIMAL}
server: { host: 127.0.0.1, port: 0 }
logging: { level: debug, requests: false }
`);
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.port).toBe(0);
    expect(config.logging).toEqual({ level: 'debug', requests: false, format: 'auto' });
  });

  it('reads providers.NAME.maxResponseBytes as a size, and refuses one under 1kb', () => {
    const withLimit = (size: string) =>
      `${MINIMAL}`.replace('providers:\n', `providers:\n  oa: { kind: openai, baseUrl: "https://api.example.com/v1", maxResponseBytes: ${size} }\n`);
    const { config } = load(withLimit('2mb'));
    expect(config.providers.oa).toMatchObject({ maxResponseBytes: 2 * 1024 * 1024 });
    expect(() => load(withLimit('100b'))).toThrow(/providers\.oa\.maxResponseBytes/);
  });
});

describe('durations and sizes', () => {
  const withServer = (drain: string) => load(`${MINIMAL}\nserver: { drainTimeout: ${drain} }\n`).config.server.drainTimeout;

  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1.5s', 1500],
    ['"10 S"', 10_000],
    ['250', 250],
    ['0', 0],
  ])('duration %s is %d ms', (text, ms) => {
    expect(withServer(text)).toBe(ms);
  });

  it.each([
    ['4mb', 4 * 1024 * 1024],
    ['64kb', 64 * 1024],
    ['1gb', 1024 ** 3],
    ['100b', 100],
    ['1234', 1234],
  ])('size %s is %d bytes', (text, bytes) => {
    const { config } = load(`${MINIMAL}\npolicies: { limits: { maxBodyBytes: ${text} } }\n`);
    expect(config.policies.limits.maxBodyBytes).toBe(bytes);
  });

  it.each(['5parsecs', '"s"', '-5', '1.5', '"30 seconds"', '"1 mb"'])('rejects duration %s with its path', (text) => {
    const problems = problemsOf(`${MINIMAL}\nserver: { drainTimeout: ${text} }\n`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^server\.drainTimeout: /);
  });

  it('explains a bad duration with an example and the units', () => {
    expect(problemsOf(`${MINIMAL}\nserver: { drainTimeout: soon }\n`)).toEqual([
      'server.drainTimeout: expected a duration like "30s" (units: ms, s, m, h)',
    ]);
  });

  it('takes the request limits as given, and refuses a depth the gateway could not serialise', () => {
    const { config } = load(`${MINIMAL}\npolicies: { limits: { maxBodyBytes: 4mb, maxMessages: 2000, maxDepth: 32, maxKeys: 5000 } }\n`);
    expect(config.policies.limits).toEqual({ maxBodyBytes: 4 * 1024 * 1024, maxMessages: 2000, maxDepth: 32, maxKeys: 5000, maxObjectKeys: 10_000 });
    expect(problemsOf(`${MINIMAL}\npolicies: { limits: { maxDepth: 10000 } }\n`)).toEqual([expect.stringMatching(/^policies\.limits\.maxDepth: /)]);
    expect(problemsOf(`${MINIMAL}\npolicies: { limits: { maxKeys: 0 } }\n`)).toEqual([expect.stringMatching(/^policies\.limits\.maxKeys: /)]);
  });

  it('explains a bad size with an example and the units', () => {
    expect(problemsOf(`${MINIMAL}\npolicies: { limits: { maxBodyBytes: 4tb } }\n`)).toEqual([
      'policies.limits.maxBodyBytes: expected a size like "4mb" (units: b, kb, mb, gb)',
    ]);
  });
});

describe('problems are all reported, each with its path', () => {
  it('collects schema and reference problems in one pass', () => {
    const problems = problemsOf(`
server: { drainTimeout: 5parsecs, bogus: 1 }
logging: { level: verbose, extra: true }
providers:
  mock: { kind: mock }
  odd: { kind: carrier-pigeon }
models:
  chat: { targets: [{ provider: mock, model: m }, { provider: missing, model: m }] }
tenants:
  team: { keys: ["${KEY_A}", "sha256:ABC"], models: [chat, ghost] }
  copy: { keys: ["${KEY_A}"], models: ["*"] }
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'server.drainTimeout: expected a duration like "30s" (units: ms, s, m, h)',
        'server: unknown key "bogus"',
        expect.stringMatching(/^logging\.level: .*"fatal".*"silent"/),
        'logging: unknown key "extra"',
        'providers.odd.kind: expected one of "openai", "mock"',
        expect.stringMatching(/^tenants\.team\.keys\[1\]: expected "sha256:<64 hex digits>"/),
        'models.chat.targets[1].provider: unknown provider "missing" (configured: mock, odd)',
        'tenants.team.models[1]: unknown model "ghost"',
        'tenants.copy.keys[0]: this key already belongs to tenant "team"; a key must identify one tenant',
      ]),
    );
    expect(problems).toHaveLength(9);
  });

  it('names every unknown key together', () => {
    expect(problemsOf(`${MINIMAL}\nserver: { one: 1, two: 2 }\n`)).toEqual(['server: unknown keys "one", "two"']);
  });

  it('reports an unknown top-level key at the root', () => {
    expect(problemsOf(`${MINIMAL}\nrouting: {}\n`)).toEqual(['(root): unknown key "routing"']);
  });

  it('reports a bad key format with its path', () => {
    const problems = problemsOf(MINIMAL.replace(KEY_A, 'sk-plain-text-key'));
    expect(problems).toEqual([
      'tenants.team.keys[0]: expected "sha256:<64 hex digits>" (print one with `tollgate hash-key KEY`)',
    ]);
  });

  it('rejects an uppercase hex hash (the format is lowercase)', () => {
    expect(problemsOf(MINIMAL.replace(KEY_A, KEY_A.toUpperCase().replace('SHA256', 'sha256')))).toHaveLength(1);
  });

  it('reports missing sections of an empty file', () => {
    expect(problemsOf('')).toEqual([
      expect.stringMatching(/^providers: /),
      expect.stringMatching(/^models: /),
      expect.stringMatching(/^tenants: /),
    ]);
  });

  it('lists "none" when a target names a provider and none are configured', () => {
    const problems = problemsOf(`
providers: {}
models:
  chat: { targets: [{ provider: mock, model: m }] }
tenants: {}
`);
    expect(problems).toEqual(['models.chat.targets[0].provider: unknown provider "mock" (configured: none)']);
  });

  it('allows "*" in a tenant without it being a model', () => {
    expect(load(MINIMAL.replace('models: [chat]', 'models: ["*"]')).config.tenants.team!.models).toEqual(['*']);
  });

  it('rejects an openai provider without an http(s) baseUrl', () => {
    const problems = problemsOf(MINIMAL.replace('mock: { kind: mock }', 'mock: { kind: openai, baseUrl: "ftp://x" }'));
    expect(problems).toEqual([expect.stringMatching(/^providers\.mock\.baseUrl: expected an http\(s\) URL/)]);
  });
});

describe('environment variables', () => {
  it('substitutes ${VAR} and ${VAR:-fallback}', () => {
    const { config } = load(`${MINIMAL}\nserver: { host: "\${HOST}", drainTimeout: "\${DRAIN:-5s}" }\n`, { HOST: '10.0.0.1' });
    expect(config.server.host).toBe('10.0.0.1');
    expect(config.server.drainTimeout).toBe(5000);
  });

  it('uses the fallback for an empty variable, and the value when set', () => {
    const text = `${MINIMAL}\nserver: { host: "\${HOST:-fallback.local}" }\n`;
    expect(load(text, { HOST: '' }).config.server.host).toBe('fallback.local');
    expect(load(text, { HOST: 'set.local' }).config.server.host).toBe('set.local');
  });

  it('keeps $${ as a literal ${', () => {
    const { config } = load(`${MINIMAL}\nserver: { host: "a-$\${HOST}-b" }\n`, { HOST: 'nope' });
    expect(config.server.host).toBe('a-${HOST}-b');
  });

  it('disables a provider whose apiKey variable is unset, without a problem', () => {
    const text = MINIMAL.replace(
      'providers:\n',
      'providers:\n  oa: { kind: openai, baseUrl: "https://api.example.com/v1", apiKey: "${OPENAI_KEY}" }\n',
    );
    const loaded = load(text, {});
    expect([...loaded.disabledProviders]).toEqual([['oa', 'OPENAI_KEY is not set']]);
    expect(loaded.config.providers.oa).toBeDefined();
    expect('apiKey' in loaded.config.providers.oa!).toBe(false);

    const live = load(text, { OPENAI_KEY: 'sk-live' });
    expect(live.disabledProviders.size).toBe(0);
    expect(live.config.providers.oa).toMatchObject({ apiKey: 'sk-live' });
  });

  it('reports an unset variable elsewhere as a problem naming its path', () => {
    const text = MINIMAL.replace(
      'providers:\n',
      'providers:\n  oa: { kind: openai, baseUrl: "${BASE_URL}", headers: { x-org: "org-${ORG}" } }\n',
    );
    const problems = problemsOf(text, {});
    expect(problems).toEqual(
      expect.arrayContaining([
        'providers.oa.baseUrl: environment variable BASE_URL is not set',
        'providers.oa.headers.x-org: environment variable ORG is not set',
      ]),
    );
  });

  it('formats array indices in the path of an unset variable', () => {
    const problems = problemsOf(MINIMAL.replace(`"${KEY_A}"`, '"${TEAM_KEY}"'), {});
    expect(problems).toContain('tenants.team.keys[0]: environment variable TEAM_KEY is not set');
  });

  it('does not read process.env when an env is given', () => {
    process.env.TOLLGATE_TEST_ONLY_VAR = 'from-process';
    try {
      expect(problemsOf(`${MINIMAL}\nserver: { host: "\${TOLLGATE_TEST_ONLY_VAR}" }\n`, {})).toEqual([
        'server.host: environment variable TOLLGATE_TEST_ONLY_VAR is not set',
      ]);
    } finally {
      delete process.env.TOLLGATE_TEST_ONLY_VAR;
    }
  });
});

describe('YAML errors', () => {
  it('reports a syntax error as a YAML problem with its line', () => {
    const problems = problemsOf('providers: [1,\nmodels: 2\n');
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems.length).toBeLessThanOrEqual(3);
    expect(problems[0]).toMatch(/^YAML: .*line \d+/);
  });

  it('rejects duplicate keys', () => {
    expect(problemsOf(`${MINIMAL}\nserver: { port: 1 }\nserver: { port: 2 }\n`)).toEqual([
      expect.stringMatching(/^YAML: Map keys must be unique/),
    ]);
  });

  it('puts the source and every problem in the error message', () => {
    try {
      parseConfig(`${MINIMAL}\nserver: { a: 1 }\nlogging: { level: loud }\n`, 'conf/x.yaml', {});
      expect.unreachable();
    } catch (err) {
      expect((err as Error).name).toBe('ConfigError');
      const lines = (err as Error).message.split('\n');
      expect(lines[0]).toBe('conf/x.yaml: invalid configuration');
      expect(lines.slice(1)).toHaveLength(2);
      expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
    }
  });
});

describe('the loaded config is deeply frozen', () => {
  it('freezes every level', () => {
    const { config } = load(MINIMAL);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.policies.limits)).toBe(true);
    expect(Object.isFrozen(config.providers.mock)).toBe(true);
    expect(Object.isFrozen(config.models.chat!.targets)).toBe(true);
    expect(Object.isFrozen(config.models.chat!.targets![0])).toBe(true);
    expect(Object.isFrozen(config.tenants.team!.keys)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('gives each load its own defaults (a frozen default never leaks across loads)', () => {
    const first = load(MINIMAL).config;
    const second = load(`${MINIMAL}\nserver: { port: 9999 }\n`).config;
    expect(first.server.port).toBe(8787);
    expect(second.server.port).toBe(9999);
    expect(Object.isFrozen(second.policies.limits)).toBe(true);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and parses a file, with the file as the source', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, MINIMAL);
    const loaded = loadConfigFile(file, {});
    expect(loaded.source).toBe(file);
    expect(Object.keys(loaded.config.models)).toEqual(['chat']);
  });

  it('reports a missing file as a ConfigError', () => {
    const file = join(dir, 'missing.yaml');
    expect(() => loadConfigFile(file, {})).toThrow(ConfigError);
    try {
      loadConfigFile(file, {});
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([expect.stringMatching(/^cannot read file: .*ENOENT/)]);
    }
  });
});

describe('formatPath', () => {
  it('joins keys with dots and indices with brackets', () => {
    expect(formatPath(['models', 'chat', 'targets', 0, 'provider'])).toBe('models.chat.targets[0].provider');
    expect(formatPath([])).toBe('(root)');
    expect(formatPath([2, 'a'])).toBe('[2].a');
  });
});

// ---- units.ts ----
