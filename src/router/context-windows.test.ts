import { describe, expect, it } from 'vitest';
import { knownContextWindow } from './context-windows.ts';

describe('knownContextWindow', () => {
  it('knows common models, their dated snapshots and point releases', () => {
    expect(knownContextWindow('gpt-4o')).toBe(128_000);
    expect(knownContextWindow('gpt-4o-2024-08-06')).toBe(128_000);
    expect(knownContextWindow('gpt-4o-mini')).toBe(128_000);
    expect(knownContextWindow('gpt-4.1')).toBe(1_047_576);
    expect(knownContextWindow('gpt-4.1-nano-2025-04-14')).toBe(1_047_576);
    expect(knownContextWindow('gpt-5')).toBe(400_000);
    expect(knownContextWindow('gpt-5-mini')).toBe(400_000);
    expect(knownContextWindow('gpt-5.1')).toBe(400_000);
    expect(knownContextWindow('gpt-5-chat-latest')).toBe(128_000);
    expect(knownContextWindow('o1')).toBe(200_000);
    expect(knownContextWindow('o3-mini')).toBe(200_000);
    expect(knownContextWindow('o4-mini-2025-04-16')).toBe(200_000);
    expect(knownContextWindow('gpt-3.5-turbo-0125')).toBe(16_385);
    expect(knownContextWindow('gpt-4')).toBe(8_192);
    expect(knownContextWindow('gpt-4-0613')).toBe(8_192);
    expect(knownContextWindow('gpt-4-turbo-2024-04-09')).toBe(128_000);
    expect(knownContextWindow('claude-3-5-sonnet-20241022')).toBe(200_000);
    expect(knownContextWindow('claude-sonnet-4-5-20250929')).toBe(200_000);
    expect(knownContextWindow('Claude-Opus-4-1')).toBe(200_000);
    expect(knownContextWindow('text-embedding-3-small')).toBe(8_192);
  });

  it('does not guess for names that merely share a prefix or are other families', () => {
    expect(knownContextWindow('gpt-4ox')).toBeUndefined();
    expect(knownContextWindow('gpt-4.5-preview')).toBeUndefined();
    expect(knownContextWindow('o10')).toBeUndefined();
    expect(knownContextWindow('qwen2.5-72b')).toBeUndefined();
    expect(knownContextWindow('')).toBeUndefined();
  });
});
