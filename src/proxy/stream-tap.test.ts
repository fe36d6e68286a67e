import { describe, expect, it, vi } from 'vitest';
import { readAllData, scriptedEvents } from '../../test/support/scripted-events.ts';
import type { SseEvent } from '../providers/types.ts';
import { tapStream, withFirst, type StreamEnd } from './stream-tap.ts';

describe('tapStream', () => {
  it('passes events through and calls end once when the source is done', async () => {
    const src = scriptedEvents(['a', 'b']);
    const end = vi.fn<(o: StreamEnd) => void>();
    const tapped = tapStream(src.iterator, { end });
    expect(await readAllData(tapped)).toEqual(['a', 'b']);
    expect(end).toHaveBeenCalledTimes(1);
    expect(end).toHaveBeenCalledWith({ cancelled: false });
    // Reading past the end, or returning afterwards, does not report again.
    expect(await tapped.next()).toEqual({ done: true, value: undefined });
    await tapped.return!();
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('maps events and drops those mapped to undefined', async () => {
    const src = scriptedEvents(['1', 'skip', '2', 'skip']);
    const end = vi.fn();
    const tapped = tapStream(src.iterator, {
      map: (e) => (e.data === 'skip' ? undefined : { data: `<${e.data}>` }),
      end,
    });
    expect(await readAllData(tapped)).toEqual(['<1>', '<2>']);
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('calls end once with the error when the source fails, and rethrows it', async () => {
    const boom = new Error('cut');
    const src = scriptedEvents(['a'], boom);
    const end = vi.fn<(o: StreamEnd) => void>();
    const tapped = tapStream(src.iterator, { end });
    expect(await tapped.next()).toEqual({ done: false, value: { data: 'a' } });
    await expect(tapped.next()).rejects.toBe(boom);
    expect(end).toHaveBeenCalledTimes(1);
    expect(end).toHaveBeenCalledWith({ error: boom, cancelled: false });
    await tapped.return!();
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('calls end once as cancelled on return(), and reaches the source even before any read', async () => {
    const src = scriptedEvents(['a', 'b']);
    const end = vi.fn<(o: StreamEnd) => void>();
    const tapped = tapStream(src.iterator, { end });
    expect(await tapped.return!()).toEqual({ done: true, value: undefined });
    expect(end).toHaveBeenCalledTimes(1);
    expect(end).toHaveBeenCalledWith({ cancelled: true });
    expect(src.calls).toEqual({ next: 0, return: 1 });
    await tapped.return!();
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('a for-await loop that breaks early cancels the source', async () => {
    const src = scriptedEvents(['a', 'b', 'c']);
    const end = vi.fn<(o: StreamEnd) => void>();
    for await (const e of tapStream(src.iterator, { end })) if (e.data === 'a') break;
    expect(end).toHaveBeenCalledWith({ cancelled: true });
    expect(src.calls.return).toBe(1);
  });

  it('works with a source without return()', async () => {
    const end = vi.fn();
    const bare: AsyncIterable<SseEvent> = {
      [Symbol.asyncIterator]: () => ({ next: async () => ({ done: false, value: { data: 'x' } }) }),
    };
    const tapped = tapStream(bare, { end });
    await tapped.next();
    await expect(tapped.return!()).resolves.toEqual({ done: true, value: undefined });
    expect(end).toHaveBeenCalledTimes(1);
  });
});

describe('withFirst', () => {
  it('yields the first event, then the rest', async () => {
    const src = scriptedEvents(['b', 'c']);
    expect(await readAllData(withFirst({ data: 'a' }, src.iterator))).toEqual(['a', 'b', 'c']);
  });

  it('does not touch the rest until the first event was taken', async () => {
    const src = scriptedEvents(['b']);
    const it = withFirst({ data: 'a' }, src.iterator);
    expect(await it.next()).toEqual({ done: false, value: { data: 'a' } });
    expect(src.calls.next).toBe(0);
    expect(await it.next()).toEqual({ done: false, value: { data: 'b' } });
    expect(src.calls.next).toBe(1);
  });

  it('return() reaches the rest even when nothing was read, and drops the first', async () => {
    const src = scriptedEvents(['b']);
    const it = withFirst({ data: 'a' }, src.iterator);
    expect(await it.return!()).toEqual({ done: true, value: undefined });
    expect(src.calls.return).toBe(1);
    expect(src.calls.next).toBe(0);
  });
});
