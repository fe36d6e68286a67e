// The two servers under test: the fake upstream (standalone CLI) and the Tollgate gateway with a
// generated config. Both are child processes so they can be pinned to their own cores.
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { spawnCommand, spawnNode, stopProcess, waitForHttpOk, waitForStdoutLine } from './processes.ts';

export const REPO_ROOT = join(import.meta.dirname, '..');
// The gateway runs exactly as `npm start` runs it: the compiled CLI (`npm run build`) through
// bin/tollgate.js, whose shebang carries the Node flags and malloc setting.
export const GATEWAY_CLI = join(REPO_ROOT, 'dist', 'cli.js');
const GATEWAY_BIN = join(REPO_ROOT, 'bin', 'tollgate.js');
const FAKE_UPSTREAM_CLI = join(REPO_ROOT, 'test', 'fake-upstream', 'cli.ts');

export const UPSTREAM_API_KEY = 'bench-upstream-key';
export const GATEWAY_MODEL = 'bench-model';
export const UPSTREAM_MODEL = 'fake-model';

export interface Service {
  child: ChildProcess;
  pid: number;
  /** e.g. http://127.0.0.1:9100 (no /v1) */
  origin: string;
  stop(): Promise<void>;
}

export interface UpstreamSettings {
  port: number;
  core: number | undefined;
  chunks: number;
  chunkDelayMs: number;
}

export async function startUpstream(s: UpstreamSettings): Promise<Service> {
  const args = [FAKE_UPSTREAM_CLI, '--port', String(s.port), '--chunks', String(s.chunks), '--chunk-delay-ms', String(s.chunkDelayMs)];
  const child = spawnNode(args, { core: s.core, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await waitForStdoutLine(child, /fake-upstream listening on/, 15_000).catch(async (e: unknown) => {
    await stopProcess(child);
    throw e;
  });
  // Nothing reads stdout after this; keep the pipe drained anyway so the child can never block on it.
  child.stdout?.resume();
  return { child, pid: child.pid!, origin: `http://127.0.0.1:${s.port}`, stop: () => stopProcess(child) };
}

export interface GatewaySettings {
  port: number;
  core: number | undefined;
  upstreamOrigin: string;
  /** Where config and logs go. */
  workDir: string;
}

export interface GatewayService extends Service {
  /** The virtual key the benchmark tenant authenticates with. */
  apiKey: string;
  logFile: string;
}

export function gatewayAvailable(): boolean {
  return existsSync(GATEWAY_CLI);
}

function writeConfig(s: GatewaySettings, apiKey: string): string {
  const config = {
    server: { host: '127.0.0.1', port: s.port },
    providers: { fake: { kind: 'openai', baseUrl: `${s.upstreamOrigin}/v1`, apiKey: UPSTREAM_API_KEY } },
    models: { [GATEWAY_MODEL]: { targets: [{ provider: 'fake', model: UPSTREAM_MODEL }] } },
    tenants: {
      bench: { keys: [`sha256:${createHash('sha256').update(apiKey).digest('hex')}`], models: [GATEWAY_MODEL] },
    },
  };
  const file = join(s.workDir, 'tollgate.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

/** Starts `bin/tollgate.js serve` like `npm start`, NODE_ENV=production; per-request log lines go to a file. */
export async function startGateway(s: GatewaySettings): Promise<GatewayService> {
  const apiKey = `tg-bench-${randomBytes(16).toString('hex')}`;
  const configFile = writeConfig(s, apiKey);
  const logFile = join(s.workDir, 'gateway.log');
  const errFile = join(s.workDir, 'gateway.stderr.log');
  const out = openSync(logFile, 'w');
  const err = openSync(errFile, 'w');
  const child = spawnCommand(GATEWAY_BIN, ['serve', '--config', configFile, '--port', String(s.port)], {
    core: s.core,
    cwd: REPO_ROOT,
    // The shebang's `node` is this process's Node 24.
    env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, NODE_ENV: 'production' },
    stdio: ['ignore', out, err],
  });
  // The child holds its own copies of the descriptors.
  closeSync(out);
  closeSync(err);
  const origin = `http://127.0.0.1:${s.port}`;
  try {
    await waitForHttpOk(`${origin}/readyz`, child, 30_000);
  } catch (e) {
    await stopProcess(child);
    const tail = (f: string) => readFileSync(f, 'utf8').trim().split('\n').slice(-15).join('\n');
    throw new Error(`gateway did not become ready: ${(e as Error).message}\n--- stderr ---\n${tail(errFile)}\n--- stdout ---\n${tail(logFile)}`);
  }
  return { child, pid: child.pid!, origin, apiKey, logFile, stop: () => stopProcess(child) };
}
