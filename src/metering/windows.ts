// Budget windows, calendar-aligned in UTC. Every window is fixed: a minute is 12:03:00.000 to
// 12:04:00.000, a day is midnight to midnight UTC, a month starts on the 1st at 00:00 UTC, and
// `total` never resets. Fixed windows let one counter per window be reserved against
// atomically and give an exact reset time; the cost is that a client can spend a minute's
// allowance at 12:03:59 and again at 12:04:00 (at most twice the rate across an edge).

export const WINDOWS = ['minute', 'hour', 'day', 'month', 'total'] as const;
export type Window = (typeof WINDOWS)[number];

export interface WindowSpan {
  /** ms since the epoch, inclusive. 0 for `total`. */
  readonly start: number;
  /** ms since the epoch, exclusive; Infinity for `total`. */
  readonly end: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export function windowAt(window: Window, now: number): WindowSpan {
  switch (window) {
    case 'minute':
      return fixed(now, MINUTE);
    case 'hour':
      return fixed(now, HOUR);
    case 'day':
      return fixed(now, DAY);
    case 'month': {
      const d = new Date(now);
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
      return { start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
    }
    case 'total':
      return { start: 0, end: Infinity };
  }
}

function fixed(now: number, size: number): WindowSpan {
  const start = Math.floor(now / size) * size;
  return { start, end: start + size };
}

/** Short windows are rate limits (429 rate_limited); day and longer are budgets (budget_exceeded). */
export function isRateWindow(window: Window): boolean {
  return window === 'minute' || window === 'hour';
}

/** A duration the way OpenAI writes `x-ratelimit-reset-*`: `20ms`, `1s`, `6m0s`, `1h2m3s`. */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  let seconds = Math.ceil(total / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
