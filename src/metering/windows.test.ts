import { describe, expect, it } from 'vitest';
import { formatResetDuration, windowAt } from './windows.ts';

const at = (iso: string) => Date.parse(iso);

describe('budget windows (UTC, calendar-aligned)', () => {
  it('a month starts on the 1st at 00:00 UTC and ends at the next 1st', () => {
    expect(windowAt('month', at('2026-01-31T23:59:59.999Z'))).toEqual({ start: at('2026-01-01T00:00:00Z'), end: at('2026-02-01T00:00:00Z') });
    expect(windowAt('month', at('2026-02-01T00:00:00.000Z'))).toEqual({ start: at('2026-02-01T00:00:00Z'), end: at('2026-03-01T00:00:00Z') });
    // December rolls over into the next year; February in a leap year has 29 days.
    expect(windowAt('month', at('2026-12-15T12:00:00Z')).end).toBe(at('2027-01-01T00:00:00Z'));
    expect(windowAt('month', at('2028-02-29T23:00:00Z')).end).toBe(at('2028-03-01T00:00:00Z'));
  });

  it('a day is midnight to midnight UTC, whatever the local zone', () => {
    expect(windowAt('day', at('2026-03-10T23:59:59.999Z'))).toEqual({ start: at('2026-03-10T00:00:00Z'), end: at('2026-03-11T00:00:00Z') });
    expect(windowAt('day', at('2026-03-11T00:00:00Z')).start).toBe(at('2026-03-11T00:00:00Z'));
  });

  it('minute and hour are fixed windows on the clock', () => {
    expect(windowAt('minute', at('2026-03-10T12:03:59.999Z'))).toEqual({ start: at('2026-03-10T12:03:00Z'), end: at('2026-03-10T12:04:00Z') });
    expect(windowAt('hour', at('2026-03-10T12:59:00Z'))).toEqual({ start: at('2026-03-10T12:00:00Z'), end: at('2026-03-10T13:00:00Z') });
  });

  it('total never resets', () => {
    expect(windowAt('total', at('2026-03-10T12:00:00Z'))).toEqual({ start: 0, end: Infinity });
  });

  it('formats reset times as OpenAI does', () => {
    expect(formatResetDuration(20)).toBe('20ms');
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(3_723_000)).toBe('1h2m3s');
  });
});
