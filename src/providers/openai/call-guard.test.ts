import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../proxy/errors.ts';
import { CallGuard } from './call-guard.ts';

const TIMEOUTS = { firstByte: 1000, idle: 500, total: 5000 };
const guard = () => new CallGuard('p', new AbortController().signal, TIMEOUTS);
const reason = (g: CallGuard) => (g.signal.reason as GatewayError | undefined)?.message;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CallGuard', () => {
  it('aborts when the first byte does not come in time', () => {
    const g = guard();
    vi.advanceTimersByTime(999);
    expect(g.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(reason(g)).toMatch(/sent nothing within 1000 ms/);
  });

  it('times the silence between chunks; each chunk restarts the clock', () => {
    const g = guard();
    g.firstByte();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(400);
      g.touch();
    }
    expect(g.signal.aborted).toBe(false);
    vi.advanceTimersByTime(500);
    expect(reason(g)).toMatch(/went silent for 500 ms/);
  });

  it('does not count the time the consumer holds a chunk, and starts afresh when it asks again', () => {
    const g = guard();
    g.firstByte();
    g.pause();
    vi.advanceTimersByTime(3000);
    expect(g.signal.aborted).toBe(false);
    g.resume();
    vi.advanceTimersByTime(499);
    expect(g.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(reason(g)).toMatch(/went silent/);
  });

  it('cuts a call that never stops trickling at the total deadline', () => {
    const g = guard();
    g.firstByte();
    for (let i = 0; i < 49; i++) {
      vi.advanceTimersByTime(100);
      g.touch();
    }
    expect(g.signal.aborted).toBe(false);
    vi.advanceTimersByTime(100);
    expect(reason(g)).toMatch(/did not finish within 5000 ms/);
  });

  it('finish() frees the timers: nothing fires afterwards', () => {
    const g = guard();
    g.firstByte();
    g.finish(false);
    vi.advanceTimersByTime(10_000);
    expect(g.signal.aborted).toBe(false);
  });
});
