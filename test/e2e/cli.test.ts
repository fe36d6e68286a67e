import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, describe, expect, test } from 'vitest';
import { cleanupProcesses, cleanEnv, freePort, GatewayProcess, runCli, writeTempConfig } from './process-harness.ts';

// The `tollgate` CLI as a user runs it: real child processes, real exit codes and output.

// Not afterEach: the tests below run concurrently, and one test's cleanup must not kill another's
// children. runCli kills its own child on timeout; whatever is left dies here.
afterAll(cleanupProcesses);

/** The "  path: message" lines of a ConfigError printed on stderr. */
function problemLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('  '))
    .map((line) => line.slice(2));
}

const BROKEN_CONFIG = `
server:
  host: 127.0.0.1
  port: 0
  drainTimeout: soon
  colour: blue
logging:
  level: loud
providers:
  p: { kind: mock }
models:
  x:
    targets: [{ provider: nope, model: m }]
tenants:
  t:
    keys: ["sha256:not-a-hash"]
    models: [x, ghost]
`;

/** Each problem BROKEN_CONFIG has, as the path it must be reported at and what the message must say. */
const EXPECTED_PROBLEMS: Array<[path: string, message: RegExp]> = [
  ['server.drainTimeout', /expected a duration like "30s"/],
  ['server', /unknown key "colour"/],
  ['logging.level', /expected one of .*"info"/],
  ['models.x.targets[0].provider', /^unknown provider "nope" \(configured: p\)$/],
  ['tenants.t.keys[0]', /expected "sha256:<64 hex digits>"/],
  ['tenants.t.models[1]', /^unknown model "ghost"$/],
];

function expectEveryProblem(stderr: string, source: string): void {
  const lines = problemLines(stderr);
  expect(stderr.split('\n')[0]).toBe(`${source}: invalid configuration`);
  // One line per problem, nothing missing and nothing extra.
  expect(lines).toHaveLength(EXPECTED_PROBLEMS.length);
  for (const [path, message] of EXPECTED_PROBLEMS) {
    const line = lines.find((l) => l.startsWith(`${path}: `));
    expect(line, `a line for ${path} in:\n${stderr}`).toBeDefined();
    expect(line!.slice(path.length + 2)).toMatch(message);
  }
}

describe.concurrent('tollgate CLI', () => {
  test('hash-key prints sha256:<hex of the key>', async () => {
    const result = await runCli(['hash-key', 'abc']);
    expect(result.code).toBe(0);
    // Independent of src/: the well-known SHA-256 of "abc".
    expect(createHash('sha256').update('abc').digest('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(result.stdout).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n');
    expect(result.stderr).toBe('');
  });

  test('check-config accepts the shipped config and names the provider a missing key disables', async () => {
    const result = await runCli(['check-config', 'config/tollgate.yaml'], { env: cleanEnv() });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'config/tollgate.yaml: OK (provider "openai" would be disabled: OPENAI_API_KEY is not set) (provider "anthropic" would be disabled: ANTHROPIC_API_KEY is not set)\n',
    );
    expect(result.stderr).toBe('');
  });

  test('check-config with every provider key set reports nothing disabled', async () => {
    const result = await runCli(['check-config', 'config/tollgate.yaml'], { env: cleanEnv({ OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test' }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('config/tollgate.yaml: OK\n');
  });

  test('check-config prints every problem of a broken config, each on its own line with its path', async () => {
    const file = writeTempConfig(BROKEN_CONFIG);
    const result = await runCli(['check-config', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toMatch(/OK/);
    expectEveryProblem(result.stderr, file);
  });

  test('check-config rejects invalid YAML with a "YAML:" line', async () => {
    const file = writeTempConfig('server:\n  port: [8787\nproviders: {}\n');
    const result = await runCli(['check-config', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = problemLines(result.stderr);
    expect(lines.length).toBeGreaterThanOrEqual(1);
    expect(lines.every((l) => l.startsWith('YAML: '))).toBe(true);
  });

  test('check-config on a missing file exits 1 and says it cannot read it', async () => {
    const result = await runCli(['check-config', 'config/does-not-exist.yaml']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^config\/does-not-exist\.yaml: invalid configuration\n {2}cannot read file: ENOENT/);
  });

  test('serve refuses an invalid config: exit 1, the same problem lines, never listens', async () => {
    const file = writeTempConfig(BROKEN_CONFIG);
    const gateway = new GatewayProcess(['--config', file]);
    const exit = await gateway.waitForExit(15_000);
    expect(exit).toMatchObject({ code: 1, signal: null });
    expectEveryProblem(gateway.stderr, file);
    expect(gateway.logs).toEqual([]);
    expect(gateway.otherStdout).toEqual([]);
  });

  test('serve rejects a bad --port with a usage error', async () => {
    const result = await runCli(['serve', '--config', 'config/tollgate.yaml', '--port', '70000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--port must be 0-65535, got 70000/);
    expect(result.stdout).toBe('');
  });

  test('config-schema prints a JSON Schema covering every top-level section', async () => {
    const result = await runCli(['config-schema']);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout) as { type?: string; properties?: Record<string, unknown> };
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['server', 'providers', 'models', 'tenants']));
  });
});

describe('npm start (compiled serve config/tollgate.yaml) without provider keys', () => {
  test('serves the mock provider, explains what is disabled, answers the demo key, stops on SIGTERM', { timeout: 40_000 }, async () => {
    const port = await freePort();
    const gateway = new GatewayProcess(['--config', 'config/tollgate.yaml', '--port', String(port)], cleanEnv(), { compiled: true });
    const listening = await gateway.listening();
    expect(listening).toEqual({ url: `http://127.0.0.1:${port}`, port });

    const startup = gateway.logs.find((l) => l.msg?.startsWith('Tollgate listening on'))!;
    expect(startup.providers).toEqual(['mock (mock)']);
    expect(startup.disabledProviders).toEqual({ openai: 'OPENAI_API_KEY is not set', anthropic: 'ANTHROPIC_API_KEY is not set' });
    expect(startup.models).toEqual(['mock-chat', 'mock-chat-strong', 'mock-embedding', 'auto']);
    await gateway.waitForLog((l) => l.msg === 'provider "openai" is disabled: OPENAI_API_KEY is not set');
    const mockOnly = await gateway.waitForLog((l) => /only/.test(l.msg ?? '') && /mock/.test(l.msg ?? ''));
    expect(mockOnly.msg).toMatch(/serving the built-in mock provider only/);

    const client = new OpenAI({ baseURL: `${listening.url}/v1`, apiKey: 'tg-demo-key', maxRetries: 0, timeout: 5_000 });
    const { data, response } = await client.chat.completions
      .create({ model: 'mock-chat', messages: [{ role: 'user', content: 'ping' }] })
      .withResponse();
    expect(response.status).toBe(200);
    expect(data.choices[0]?.message.content).toBe('Echo: ping');
    expect(data.model).toBe('mock-chat-1');

    // The demo router alias, from the compiled build (its model weights ship with it).
    const routed = await client.chat.completions
      .create({ model: 'auto', messages: [{ role: 'user', content: 'Prove that there are infinitely many primes p such that p ≡ 3 (mod 4), and explain each step.' }] })
      .withResponse();
    expect(routed.data.model).toBe('mock-chat-strong-1');
    expect(routed.response.headers.get('x-tollgate-route')).toMatch(/^strong; score=0\.\d{3}; threshold=0\.5; reason=score$/);

    // The demo tenant may not use the (disabled) real models: to it they do not exist.
    const denied = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.APIError);
    expect((denied as InstanceType<typeof OpenAI.APIError>).status).toBe(404);
    expect((denied as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');

    gateway.child.kill('SIGTERM');
    const exit = await gateway.waitForExit(3_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(gateway.messages().at(-1)).toBe('stopped');
    expect(gateway.stderr).toBe('');
  });
});
