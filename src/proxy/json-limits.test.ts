import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.ts';
import { nonFinitePath, scanJson } from './json-limits.ts';

const LIMITS = { maxDepth: 4, maxKeys: 10, maxObjectKeys: 5 };
const scan = (text: string, limits = LIMITS) => scanJson(Buffer.from(text), limits);
const refusal = (text: string, limits = LIMITS): string => {
  try {
    scan(text, limits);
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('invalid_request');
    return (err as GatewayError).message;
  }
  throw new Error(`not refused: ${text}`);
};

describe('scanJson', () => {
  it('counts nesting of objects and arrays, the body being level 1', () => {
    expect(() => scan('{"a":[{"b":[]}]}')).not.toThrow();
    expect(refusal('{"a":[{"b":[[]]}]}')).toMatch(/more than 4 levels deep/);
    expect(refusal('['.repeat(100_000))).toMatch(/levels deep/);
  });

  it('counts keys, objects and arrays together; scalars in arrays are free', () => {
    expect(() => scan('{"a":1,"b":2,"c":3,"d":{"e":5,"f":6,"g":7,"h":8}}')).not.toThrow(); // 8 keys + 2 objects
    expect(refusal('{"a":1,"b":2,"c":3,"d":{"e":5,"f":6,"g":7,"h":8,"i":9}}')).toMatch(/more than 10 keys, objects and arrays/);
    expect(refusal('[[],[],[],[],[],[],[],[],[],[]]')).toMatch(/more than 10/);
    expect(() => scan(`[${Array.from({ length: 10_000 }, (_, i) => i).join(',')}]`)).not.toThrow();
  });

  it('counts the keys of each object apart', () => {
    const limits = { maxDepth: 4, maxKeys: 100, maxObjectKeys: 3 };
    expect(() => scan('{"a":{"x":1,"y":2,"z":3},"b":{"x":1,"y":2,"z":3},"c":[{"x":1,"y":2,"z":3}]}', limits)).not.toThrow();
    expect(refusal('{"a":{"x":1,"y":{"q":1},"z":3,"w":4}}', limits)).toMatch(/an object in the request body has more than 3 keys/i);
    expect(refusal('{"a":1,"b":{"x":1,"y":2,"z":3},"c":3,"d":4}', limits)).toMatch(/more than 3 keys/);
  });

  it('ignores structure inside strings, escaped quotes and backslashes included', () => {
    expect(() => scan('{"a":"[[[[[{{{{{:::::::::::::"}')).not.toThrow();
    expect(() => scan('{"a":"\\"[[[[[[\\"","b":"\\\\"}')).not.toThrow();
    // An escaped backslash ends before the quote, so the string closes and the brackets count.
    expect(refusal('{"a":"\\\\",  "b":[[[[[]]]]]}')).toMatch(/levels deep/);
    expect(() => scan('{"a":"\u00e9[[[[[[ \u2028 \ud83d\ude00"}')).not.toThrow();
  });

  it('flags numbers JSON.parse would turn into Infinity, and only those', () => {
    expect(scan('{"max_tokens":1e400}').hasNonFiniteNumber).toBe(true);
    expect(scan('{"x":[-1E+999]}').hasNonFiniteNumber).toBe(true);
    expect(scan(`{"x":${'9'.repeat(400)}}`).hasNonFiniteNumber).toBe(true);
    expect(scan(`{"x":${'9'.repeat(300)},"y":1e-400,"z":1.5e300,"w":-0}`).hasNonFiniteNumber).toBe(false);
    expect(scan('{"x":"1e400"}').hasNonFiniteNumber).toBe(false);
  });

  it('leaves invalid JSON to JSON.parse', () => {
    for (const text of ['', '{', '"unterminated', '}}}}', '{"a":1e}', '\u0000']) expect(() => scan(text)).not.toThrow();
  });
});

describe('nonFinitePath', () => {
  it('finds the first non-finite number', () => {
    expect(nonFinitePath({ model: 'm', max_tokens: Infinity })).toEqual(['max_tokens']);
    expect(nonFinitePath({ a: [1, { b: -Infinity }] })).toEqual(['a', 1, 'b']);
    expect(nonFinitePath({ a: [1, 2], b: 'Infinity' })).toBeUndefined();
  });
});
