import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { startFakeUpstream, type FakeUpstream } from '../fake-upstream/index.ts';
import { BIN, cleanEnv, cleanupProcesses, GatewayProcess, REPO_ROOT, writeTempConfig } from './process-harness.ts';
import { openRaw } from './raw-client.ts';

// How the gateway process starts and stops: the bin's runtime flags and Node check, the
// open-file limit, and a second signal during the drain.

const KEY = 'tg-process-test-key';
let fake: FakeUpstream;
beforeEach(async () => {
  fake = await startFakeUpstream();
});
afterEach(async () => {
  await cleanupProcesses();
  await fake.close();
});

function config(server = ''): string {
  return writeTempConfig(`
server: { host: 127.0.0.1, port: 0, drainTimeout: 30s${server} }
providers:
  fake: { kind: openai, baseUrl: ${fake.url}, apiKey: k }
models:
  chat: { targets: [{ provider: fake, model: fake-model }] }
tenants:
  t: { keys: ["${hashKey(KEY)}"], models: [chat] }
`);
}

describe('a second signal during the drain', () => {
  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s twice exits at once with %i, and says so', { timeout: 30_000 }, async (signal, code) => {
    fake.setDefault({ hang: true });
    const gateway = new GatewayProcess(['--config', config()]);
    const { url } = await gateway.listening();
    const pending = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
    }).catch(() => undefined);
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    gateway.child.kill(signal);
    await gateway.waitForLog((l) => l.msg === 'shutting down: no new connections, draining');
    gateway.child.kill(signal);
    const exit = await gateway.waitForExit(5_000);
    expect(exit).toMatchObject({ code, signal: null });
    expect(gateway.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('second signal'))).toMatchObject({ signal, exitCode: code });
    await pending;
  });
});

describe('bin/tollgate.js', () => {
  test('started as an executable, it runs with the runtime settings', { timeout: 30_000 }, async () => {
    const gateway = new GatewayProcess(['--config', config()], cleanEnv(), { compiled: true });
    await gateway.listening(12_000);
    const line = gateway.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('Tollgate listening'))!;
    expect(line.nodeFlags).toContain('--max-semi-space-size=8');
    expect(line.mallocArenaMax).toBe('2');
  });

  test('started as `node bin/tollgate.js`, it restarts itself with them and passes signals and the exit code on', { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, [BIN, 'serve', '--config', config()], { cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    while (!out.includes('Tollgate listening')) {
      if (child.exitCode !== null) throw new Error(`exited early: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const line = JSON.parse(out.split('\n').find((l) => l.includes('Tollgate listening'))!) as Record<string, unknown>;
    expect(line.nodeFlags).toContain('--max-semi-space-size=8');
    expect(line.mallocArenaMax).toBe('2');
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(out).toContain('"msg":"stopped"');
  });

  const oldNode = olderNodeOnPath();
  test.skipIf(oldNode === undefined)('on a Node older than 24 it says which Node it needs', () => {
    const result = spawnSync(oldNode!, [BIN, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^tollgate needs Node\.js 24 or newer; this is Node\.js \d+\./);
  });
});

describe('the open-file limit', () => {
  test('caps connections below it: a flood is survived and health checks come back', { timeout: 30_000 }, async () => {
    const gateway = new GatewayProcess(['--config', config(', timeouts: { headers: 500ms }')], cleanEnv(), { openFiles: 256 });
    const { port, url } = await gateway.listening();
    const capped = gateway.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('server.maxConnections lowered'));
    expect(capped).toMatchObject({ openFileLimit: 256 });
    const flood = await Promise.all(Array.from({ length: 300 }, () => openRaw(port)));
    for (const c of flood) c.socket.on('error', () => {});
    await Promise.all(flood.map((c) => c.closed));
    await gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('connection limit reached'));
    const res = await fetch(`${url}/healthz`, { headers: { connection: 'close' } });
    expect(res.status).toBe(200);
    expect(gateway.exit).toBeUndefined();
  });
});

/** A `node` on PATH older than 24 (this machine's system Node), if any. */
function olderNodeOnPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = `${dir}/node`;
    const result = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    if (result.status === 0 && Number(result.stdout.split('.')[0]) < 24) return candidate;
  }
  return undefined;
}
