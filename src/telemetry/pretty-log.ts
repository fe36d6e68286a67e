import type pino from 'pino';

// Log lines for people at a terminal: `12:04:05.123 INFO  message  key=value ...`, and the
// startup summary as a short table of live and disabled providers and models. Written here
// rather than with pino-pretty: one small function over pino's own JSON lines, no extra
// dependency (and its transport worker thread) for a gateway that logs JSON in production.

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const HIDDEN = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);
const STARTUP_FIELDS = ['providers', 'disabledProviders', 'models', 'unavailableModels'];

/** Wraps a destination so each JSON line pino writes reaches it rendered for people. */
export function prettyDestination(target: pino.DestinationStream): pino.DestinationStream {
  const flushable = target as pino.DestinationStream & { flush?: (cb?: (err?: Error) => void) => void; flushSync?: () => void };
  return {
    write(line: string) {
      target.write(prettyLine(line));
    },
    // pino's logger.flush() and exit handling call these when present.
    ...(flushable.flush ? { flush: (cb?: (err?: Error) => void) => flushable.flush!(cb) } : {}),
    ...(flushable.flushSync ? { flushSync: () => flushable.flushSync!() } : {}),
  } as pino.DestinationStream;
}

export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const level = (LEVELS[entry.level as number] ?? String(entry.level)).padEnd(5);
  const head = `${time} ${level} ${String(entry.msg ?? '')}`;
  if (isStartupSummary(entry)) return `${head}${fields(entry, new Set(STARTUP_FIELDS))}\n${startupTable(entry)}`;
  const err = entry.err as { stack?: string } | undefined;
  return `${head}${fields(entry, new Set(['err']))}\n${err?.stack ? `${indent(err.stack)}\n` : ''}`;
}

function fields(entry: Record<string, unknown>, skip: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (HIDDEN.has(key) || skip.has(key) || value === undefined) continue;
    parts.push(`${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  }
  return parts.length > 0 ? `  ${parts.join(' ')}` : '';
}

function isStartupSummary(entry: Record<string, unknown>): boolean {
  return Array.isArray(entry.providers) && Array.isArray(entry.models);
}

/** Live and disabled providers and models, one row each, with the reason for what is off. */
function startupTable(entry: Record<string, unknown>): string {
  const rows: Array<[string, string, string]> = [];
  for (const provider of entry.providers as string[]) rows.push(['provider', provider, 'live']);
  for (const [name, why] of Object.entries((entry.disabledProviders ?? {}) as Record<string, string>)) rows.push(['provider', name, `disabled: ${why}`]);
  for (const model of entry.models as string[]) rows.push(['model', model, 'live']);
  for (const [alias, why] of Object.entries((entry.unavailableModels ?? {}) as Record<string, string>)) rows.push(['model', alias, `unavailable: ${why}`]);
  const width = Math.max(0, ...rows.map(([, name]) => name.length));
  return rows.map(([what, name, status]) => `    ${what.padEnd(9)}${name.padEnd(width + 2)}${status}\n`).join('');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
