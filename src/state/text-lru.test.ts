import { describe, expect, it } from 'vitest';
import { TextLru } from './text-lru.ts';

describe('TextLru', () => {
  it('keeps spaces apart and evicts the least recently used past its character bound', () => {
    const lru = new TextLru<number>({ maxChars: 30, maxTextChars: 20 });
    lru.set('a', 'x'.repeat(10), 1);
    lru.set('b', 'x'.repeat(10), 2);
    expect(lru.get('a', 'x'.repeat(10))).toBe(1); // now the most recent
    lru.set('c', 'y'.repeat(10), 3); // 3 × 12 key chars > 30: 'b' goes
    expect(lru.get('b', 'x'.repeat(10))).toBeUndefined();
    expect(lru.get('a', 'x'.repeat(10))).toBe(1);
    expect(lru.get('c', 'y'.repeat(10))).toBe(3);
  });

  it('never keeps a text longer than its limit', () => {
    const lru = new TextLru<number>({ maxChars: 1000, maxTextChars: 5 });
    expect(lru.set('a', 'toolong', 7)).toBe(7);
    expect(lru.get('a', 'toolong')).toBeUndefined();
    expect(lru.size).toBe(0);
  });
});
