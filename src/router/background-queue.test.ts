import { describe, expect, it } from 'vitest';
import { BackgroundQueue } from './background-queue.ts';

describe('BackgroundQueue', () => {
  it('runs at most `concurrency` jobs, holds at most `capacity`, and drops and counts the rest', async () => {
    const queue = new BackgroundQueue({ concurrency: 2, capacity: 3 });
    const releases: Array<() => void> = [];
    let running = 0;
    let peak = 0;
    const job = () =>
      new Promise<void>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    const accepted = Array.from({ length: 10 }, () => queue.push(job));
    expect(accepted.filter(Boolean)).toHaveLength(5);
    expect(queue.counts).toMatchObject({ running: 2, waiting: 3, dropped: 5, started: 2 });
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(peak).toBe(2);
    expect(queue.counts).toMatchObject({ running: 0, waiting: 0, dropped: 5, started: 5 });
  });

  it('keeps going after a job fails', async () => {
    const queue = new BackgroundQueue({ concurrency: 1, capacity: 1 });
    queue.push(() => Promise.reject(new Error('boom')));
    const { promise, resolve } = Promise.withResolvers<void>();
    queue.push(async () => resolve());
    await promise;
    expect(queue.counts.started).toBe(2);
  });

  it('stop drops what waits, aborts what runs, and refuses new jobs', async () => {
    const queue = new BackgroundQueue({ concurrency: 1, capacity: 5 });
    const aborted = Promise.withResolvers<void>();
    queue.push((signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => (aborted.resolve(), resolve()))));
    let ran = false;
    queue.push(async () => {
      ran = true;
    });
    queue.stop();
    await aborted.promise;
    expect(queue.push(async () => {})).toBe(false);
    expect(ran).toBe(false);
    expect(queue.counts).toMatchObject({ cancelled: 2, dropped: 1, waiting: 0 });
  });
});
