import { z } from 'zod';

// Durations and sizes are written the way people say them in YAML ("30s", "4mb") and
// turned into milliseconds and bytes once, at load time.

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

function parseUnit(value: string, units: Record<string, number>): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value);
  if (!match) return undefined;
  const factor = units[match[2]!.toLowerCase()];
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor);
}

function unitSchema(units: Record<string, number>, what: string, example: string) {
  const names = Object.keys(units).join(', ');
  return z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
    if (typeof value === 'number') return value;
    const parsed = parseUnit(value, units);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected a ${what} like "${example}" (units: ${names})` });
      return z.NEVER;
    }
    return parsed;
  });
}

/** Milliseconds; a bare number is milliseconds. */
export const duration = () => unitSchema(DURATION_UNITS, 'duration', '30s');
/** Bytes; a bare number is bytes. */
export const byteSize = () => unitSchema(SIZE_UNITS, 'size', '4mb');
