// Child processes for the benchmark: spawning pinned to a core, waiting until they are ready,
// reading their memory, and stopping them.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Whether processes can be pinned: taskset works here and cores 0 and 1 both exist. */
export function pinningAvailable(): { ok: boolean; why?: string } {
  if (availableParallelism() < 2) return { ok: false, why: `only ${availableParallelism()} core(s) available` };
  const probe = spawnSync('taskset', ['-c', '1', 'true'], { stdio: 'ignore' });
  if (probe.error) return { ok: false, why: `taskset not usable: ${probe.error.message}` };
  if (probe.status !== 0) return { ok: false, why: `taskset -c 1 exited with ${probe.status}` };
  return { ok: true };
}

export interface SpawnOptions {
  /** Core to pin to, or undefined to run unpinned. */
  core: number | undefined;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
}

/**
 * Spawns `node <args>`, through `taskset -c <core>` when pinning. taskset execs node in place, so
 * the child's pid is node's own pid (which matters for reading /proc/<pid>/status).
 */
export function spawnNode(args: string[], opts: SpawnOptions): ChildProcess {
  return spawnCommand(process.execPath, args, opts);
}

/** Runs an executable (e.g. bin/tollgate.js, through its shebang), pinned like spawnNode. */
export function spawnCommand(executable: string, args: string[], opts: SpawnOptions): ChildProcess {
  const [command, argv] = opts.core === undefined ? [executable, args] : ['taskset', ['-c', String(opts.core), executable, ...args]];
  return spawn(command, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with the child's whole stdout once it exits 0; rejects with its stderr otherwise. */
export function collectOutput(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`child exited with ${code ?? signal}: ${err.trim().slice(-2000)}`));
    });
  });
}

/** Resolves when a line of the child's stdout matches; rejects if it exits first or time runs out. */
export function waitForStdoutLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    const onData = (d: Buffer) => {
      buffered += d.toString();
      const line = buffered.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) done(() => resolve(line));
    };
    const onExit = (code: number | null) => fail(new Error(`process exited (${code}) before becoming ready`));
    const done = (then: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      then();
    };
    const fail = (e: Error) => done(() => reject(e));
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Polls a URL until it answers 200; rejects early if the child exits. */
export async function waitForHttpOk(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before ${url} was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

export interface MemoryReading {
  /** Current resident set size (VmRSS), MiB. */
  rssMiB: number;
  /** Peak resident set size since start (VmHWM), MiB. */
  peakRssMiB: number;
}

/** Reads VmRSS/VmHWM from /proc; undefined where /proc is not available. */
export function readMemory(pid: number): MemoryReading | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
