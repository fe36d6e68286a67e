import { describe, expect, it } from 'vitest';
import { requestIdFrom } from './request-id.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it.each([
    'abc-123',
    'req_01HZX9.trace:span@svc/a+b=c',
    '3f2c1a9e-8d7b-4c6a-9e5f-1a2b3c4d5e6f',
    'a',
    'x'.repeat(128),
  ])('honours the safe id %s', (id) => {
    expect(requestIdFrom(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['a space', 'abc def'],
    ['a newline (log injection)', 'abc\n{"level":"fatal"}'],
    ['quotes', '"abc"'],
    ['non-ASCII', 'réq'],
    ['angle brackets', '<script>'],
  ])('replaces an id with %s by a fresh UUID', (_what, id) => {
    const out = requestIdFrom(id);
    expect(out).not.toBe(id);
    expect(out).toMatch(UUID);
  });

  it('replaces an array or a missing header', () => {
    expect(requestIdFrom(['abc', 'def'])).toMatch(UUID);
    expect(requestIdFrom(['abc'])).toMatch(UUID);
    expect(requestIdFrom(undefined)).toMatch(UUID);
  });

  it('makes a different id each time', () => {
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});
