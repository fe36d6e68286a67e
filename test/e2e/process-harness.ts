import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';

// Runs the real `tollgate` CLI as child processes (Node 24 = this process's node, cwd = repo
// root), captures their output, and makes sure none outlives a test: every child is tracked
// and `cleanupProcesses()` SIGKILLs whatever is still running and removes temp configs.

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
const CLI = 'src/cli.ts';

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

/** The parent's environment without provider keys (so only what the test sets is live). */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/_API_KEY$/.test(name) || name === 'NODE_OPTIONS') continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI command to completion; SIGKILLs it and rejects after `timeoutMs`. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {}): Promise<CliResult> {
  const stdin = options.input === undefined ? 'ignore' : 'pipe';
  const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: options.env ?? cleanEnv(), stdio: [stdin, 'pipe', 'pipe'] });
  if (options.input !== undefined) child.stdin!.end(options.input);
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tollgate ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close' (not 'exit') so every byte of stdout/stderr has been read.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the exit was observed. */
  at: number;
}

export type LogLine = Record<string, unknown> & { msg?: string };

/** The `tollgate` command, run as an executable: its shebang sets the runtime flags. */
export const BIN = join(REPO_ROOT, 'bin', 'tollgate.js');

/** `env` with this process's Node 24 first on PATH, for the bin's `#!/usr/bin/env … node`. */
export function withNode24(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, PATH: `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}` };
}

export interface StartOptions {
  /** Run as `npm start` does: bin/tollgate.js (compiled dist/, runtime flags from its shebang). */
  compiled?: boolean;
  /** Start under this open-file limit (`ulimit -n`). */
  openFiles?: number;
}

/** A long-running `tollgate serve` child with its JSON log lines. */

export class GatewayProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[] = [];
  /** stdout lines that were not JSON (there should be none). */
  readonly otherStdout: string[] = [];
  stderr = '';
  readonly exited: Promise<Exit>;
  exit: Exit | undefined;
  #pending = '';
  #wakers: Array<() => void> = [];

  constructor(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), options: StartOptions = {}) {
    const [command, ...rest] = options.compiled ? [BIN, 'serve', ...args] : [process.execPath, CLI, 'serve', ...args];
    const spawned: [string, string[]] =
      options.openFiles === undefined
        ? [command!, rest]
        : ['/bin/sh', ['-c', `ulimit -n ${options.openFiles} && exec "$@"`, 'sh', command!, ...rest]];
    this.child = spawn(spawned[0], spawned[1], { cwd: REPO_ROOT, env: withNode24(env), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(this.child);
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => this.#onStdout(d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.#wake();
    });
    this.exited = new Promise((resolvePromise) => {
      this.child.once('close', (code, signal) => {
        children.delete(this.child);
        this.exit = { code, signal, at: performance.now() };
        this.#wake();
        resolvePromise(this.exit);
      });
    });
  }

  #onStdout(data: string): void {
    this.#pending += data;
    const lines = this.#pending.split('\n');
    this.#pending = lines.pop()!;
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        this.logs.push(JSON.parse(line) as LogLine);
      } catch {
        this.otherStdout.push(line);
      }
    }
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#wakers.splice(0)) wake();
  }

  /** Resolves with the first log line matching `match`; rejects on timeout or if the process exits first. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs = 15_000): Promise<LogLine> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = this.logs.find(match);
      if (found) return found;
      if (this.exit) throw new Error(`gateway exited (${JSON.stringify(this.exit)}) before the expected log line\n${this.describe()}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`expected log line not seen within ${timeoutMs} ms\n${this.describe()}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, Math.min(left, 100));
        this.#wakers.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  /** Waits for the startup line and returns the port parsed from "Tollgate listening on http://HOST:PORT". */
  async listening(timeoutMs = 15_000): Promise<{ url: string; port: number }> {
    const line = await this.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('Tollgate listening on '), timeoutMs);
    const match = /^Tollgate listening on (http:\/\/[^\s:]+:(\d+))$/.exec(line.msg!);
    if (!match) throw new Error(`unexpected startup line: ${line.msg}`);
    return { url: match[1]!, port: Number(match[2]) };
  }

  /** Resolves with the exit, or rejects if the process is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`gateway still running ${timeoutMs} ms later\n${this.describe()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  messages(): string[] {
    return this.logs.map((l) => String(l.msg));
  }

  describe(): string {
    return `stdout:\n${this.logs.map((l) => JSON.stringify(l)).concat(this.otherStdout).join('\n')}\nstderr:\n${this.stderr}`;
  }
}

/** Writes `text` to a fresh temp directory; removed by `cleanupProcesses()`. */
export function writeTempConfig(text: string, name = 'tollgate.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-e2e-'));
  tempDirs.add(dir);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A port that was free a moment ago (for exercising `--port N`). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolvePromise());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  return port;
}

/** Kills every child still running (SIGKILL) and removes temp configs. Call from afterEach. */
export async function cleanupProcesses(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((done) => child.once('close', done)));
      child.kill('SIGKILL');
    }
  }
  children.clear();
  await Promise.race([Promise.all(waits), new Promise((done) => setTimeout(done, 2_000))]);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
