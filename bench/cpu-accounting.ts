// CPU time from /proc, to show how busy the gateway's core was and how much CPU *other* processes
// on this shared machine took during a run (the benchmark's noise). Linux only; undefined elsewhere.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicksPerSecond: number | undefined;

function ticksPerSecond(): number {
  clockTicksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;
  return clockTicksPerSecond;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process (all its threads) has used so far. */
export function readProcessCpuSeconds(pid: number): number | undefined {
  const stat = readOrUndefined(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name may contain spaces; fields are counted from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
}

/**
 * User + nice + system CPU seconds of the whole machine, all cores. Interrupt and softirq time is
 * left out because loopback networking is accounted there rather than to the processes using it.
 */
export function readMachineBusySeconds(): number | undefined {
  const stat = readOrUndefined('/proc/stat');
  const cpu = stat?.split('\n', 1)[0]?.trim().split(/\s+/);
  if (!cpu || cpu[0] !== 'cpu') return undefined;
  return (Number(cpu[1]) + Number(cpu[2]) + Number(cpu[3])) / ticksPerSecond();
}

/** CPU seconds this process has used (the orchestrator itself). */
export function ownCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
