import { describe, expect, it } from 'vitest';
import { answerJson, jsonOfBytes } from './answer-json.ts';

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('answerJson', () => {
  it('parses the provider bytes once and shares the result', () => {
    const raw = bytes({ choices: [{ message: { tool_calls: [] } }] });
    const first = answerJson({ kind: 'json', status: 200, body: undefined, bytes: raw });
    expect(first).toEqual({ choices: [{ message: { tool_calls: [] } }] });
    expect(jsonOfBytes(raw)).toBe(first);
  });

  it('prefers a body already in hand', () => {
    expect(answerJson({ kind: 'json', status: 200, body: { a: 1 } })).toEqual({ a: 1 });
  });

  it('skips the parse when the bytes lack the wanted text, and survives broken JSON', () => {
    expect(jsonOfBytes(bytes({ choices: [] }), '"tool_calls"')).toBeUndefined();
    expect(jsonOfBytes(new TextEncoder().encode('{"tool_calls": [oops'))).toBeUndefined();
  });

  it('does not look into answers larger than its bound', () => {
    const big = bytes({ text: 'x'.repeat(9 * 1024 * 1024) });
    expect(jsonOfBytes(big)).toBeUndefined();
  });
});
