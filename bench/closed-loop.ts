// Closed-loop (saturation) load: a fixed number of workers, each sending its next request as soon
// as the previous one completes. Throughput is what the target sustains at that concurrency;
// latencies here are from the actual send time and only describe the saturated state.
import { Pool } from 'undici';
import type { ClosedLoopSpec, LoadResult } from './load-spec.ts';
import { Recorder } from './recorder.ts';
import { timedRequest } from './timed-request.ts';

async function runFor(pool: Pool, spec: ClosedLoopSpec, seconds: number): Promise<LoadResult> {
  const recorder = new Recorder();
  const startAt = performance.now();
  const stopAt = startAt + seconds * 1000;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const sentAt = performance.now();
      recorder.sent();
      recorder.finished(sentAt, await timedRequest(pool, spec.target, spec.expectSseDone));
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  return recorder.result('closed', startAt);
}

export async function runClosedLoop(spec: ClosedLoopSpec): Promise<LoadResult> {
  const pool = new Pool(spec.target.origin, {
    connections: spec.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  try {
    if (spec.warmupSeconds > 0) await runFor(pool, spec, spec.warmupSeconds);
    return await runFor(pool, spec, spec.seconds);
  } finally {
    await pool.destroy();
  }
}
