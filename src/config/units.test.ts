import { describe, expect, it } from 'vitest';
import { byteSize, duration } from './units.ts';

describe('duration()', () => {
  const d = duration();
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['0.5s', 500],
    [' 2 M ', 120_000],
    [250, 250],
    [0, 0],
  ] as const)('parses %j as %d ms', (input, ms) => {
    expect(d.parse(input)).toBe(ms);
  });

  it.each(['', '30', '30x', '30 sec', '-1s', '1e3ms', 'ms'])('rejects the string %j', (input) => {
    const result = d.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('expected a duration like "30s" (units: ms, s, m, h)');
  });

  it.each([-1, 1.5, Number.NaN])('rejects the number %d', (input) => {
    expect(d.safeParse(input).success).toBe(false);
  });

  it('rejects other types', () => {
    expect(d.safeParse(true).success).toBe(false);
    expect(d.safeParse(null).success).toBe(false);
  });
});

describe('byteSize()', () => {
  const s = byteSize();
  it.each([
    ['4mb', 4 * 1024 * 1024],
    ['64kb', 65_536],
    ['64KB', 65_536],
    ['1gb', 1024 ** 3],
    ['10b', 10],
    ['1.5kb', 1536],
    [4096, 4096],
  ] as const)('parses %j as %d bytes', (input, bytes) => {
    expect(s.parse(input)).toBe(bytes);
  });

  it.each(['4m', '4tb', '4 megabytes', 'kb'])('rejects %j', (input) => {
    const result = s.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('expected a size like "4mb" (units: b, kb, mb, gb)');
  });
});

// ---- interpolate.ts ----
