import { readFileSync, writeFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterAll, describe, expect, test } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { cleanupProcesses, GatewayProcess, runCli, writeTempConfig } from './process-harness.ts';

// What a platform engineer types in the first hour: help for each command, the version,
// argument mistakes, keys kept out of shell history, and SIGHUP reloading a running gateway.

afterAll(cleanupProcesses);

const COMMANDS = ['serve', 'check-config', 'hash-key', 'gen-key', 'config-schema', 'eval-router', 'route-scores'];

// Sequential: dozens of CLI processes at once would starve the gateway tests running beside them.
describe('tollgate CLI arguments', () => {
  test.each(COMMANDS)('%s --help prints its usage and exits 0', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Usage: tollgate ${command}`));
  });

  test('--version prints the package version; --help lists every command', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `tollgate ${pkg.version}\n` });
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(`tollgate ${command}`);
  });

  test.each([
    [['hash-key', 'a', 'b'], /hash-key takes one KEY, got 2 arguments/],
    [['check-config', 'a.yaml', 'b.yaml'], /check-config takes one FILE, got 2/],
    [['check-config'], /check-config needs a FILE/],
    [['serve', 'extra'], /Unexpected argument 'extra'/],
    [['serve', '--colour'], /Unknown option '--colour'/],
    [['config-schema', 'x'], /Unexpected argument 'x'/],
    [['gen-key', '--length', '9'], /Unknown option '--length'/],
    [['version2'], /unknown command "version2"/],
  ])('%j is a usage error (exit 2, the usage on stderr)', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/Usage/);
  });

  test('hash-key reads the key from stdin when given none; -- lets a key start with a dash', async () => {
    expect(await runCli(['hash-key'], { input: 'abc\n' })).toMatchObject({ code: 0, stdout: `${hashKey('abc')}\n` });
    expect(await runCli(['hash-key'], { input: 'abc' })).toMatchObject({ code: 0, stdout: `${hashKey('abc')}\n` });
    expect(await runCli(['hash-key', '--', '--help'])).toMatchObject({ code: 0, stdout: `${hashKey('--help')}\n` });
    const empty = await runCli(['hash-key'], { input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/the key is empty/);
  });

  test('gen-key prints a strong new key and the config line with its hash, different each time', async () => {
    const [one, two] = await Promise.all([runCli(['gen-key']), runCli(['gen-key'])]);
    const parse = (stdout: string) => {
      const key = /^key: +(tg-[A-Za-z0-9_-]{43})$/m.exec(stdout)?.[1];
      const hash = /^config: +- "(sha256:[0-9a-f]{64})"/m.exec(stdout)?.[1];
      return { key, hash };
    };
    const a = parse(one!.stdout);
    expect(one!.code).toBe(0);
    expect(a.key).toBeDefined();
    expect(a.hash).toBe(hashKey(a.key!));
    expect(parse(two!.stdout).key).not.toBe(a.key);
  });
});

describe('SIGHUP on a running gateway', () => {
  test('reloads a valid config, rejects an invalid one and keeps serving', { timeout: 40_000 }, async () => {
    const config = (model: string) => `
server: { host: 127.0.0.1, port: 0 }
providers:
  mock: { kind: mock }
models:
  ${model}: { targets: [{ provider: mock, model: mock-1 }] }
tenants:
  t: { keys: ["${hashKey('k')}"], models: "*" }
`;
    const file = writeTempConfig(config('first'));
    const gateway = new GatewayProcess(['--config', file, '--no-watch']);
    const { url } = await gateway.listening();
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'k', maxRetries: 0, timeout: 5_000 });
    const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });
    expect((await ask('first')).model).toBe('mock-1');

    writeFileSync(file, config('second'));
    gateway.child.kill('SIGHUP');
    await gateway.waitForLog((l) => l.msg === `configuration reloaded from ${file}`);
    expect((await ask('second')).model).toBe('mock-1');
    await expect(ask('first')).rejects.toMatchObject({ status: 404 });

    writeFileSync(file, config('third').replace('kind: mock', 'kind: mock, colour: blue'));
    gateway.child.kill('SIGHUP');
    const rejected = await gateway.waitForLog((l) => l.msg === 'configuration rejected: the running configuration keeps serving');
    expect(rejected.problems).toEqual(['providers.mock: unknown key "colour"']);
    expect((await ask('second')).model).toBe('mock-1');
    expect(gateway.exit).toBeUndefined();

    gateway.child.kill('SIGTERM');
    expect(await gateway.waitForExit(15_000)).toMatchObject({ code: 0, signal: null });
  });
});
