// Constant-rate (open-loop) load: request i is due at t0 + i/rate whatever happened to earlier
// requests, and its latency is measured from that due time. A slow response therefore cannot
// delay the next send and hide queueing (no coordinated omission); if the generator itself runs
// late, the lateness counts against the target and shows up in sendLagMs.
import { Pool } from 'undici';
import type { LoadResult, OpenLoopSpec } from './load-spec.ts';
import { Recorder } from './recorder.ts';
import { timedRequest } from './timed-request.ts';

/** How long to wait for stragglers after the last send before counting them as timeouts. */
const DRAIN_DEADLINE_MS = 15_000;
/** Start slightly in the future so the first requests are not already late. */
const START_LEAD_MS = 5;

function runTimetable(pool: Pool, spec: OpenLoopSpec, seconds: number): Promise<LoadResult> {
  const recorder = new Recorder();
  const total = Math.max(1, Math.round(spec.rate * seconds));
  const intervalMs = 1000 / spec.rate;
  const t0 = performance.now() + START_LEAD_MS;
  let next = 0;
  let finished = 0;
  let settled = false;

  return new Promise((resolve) => {
    const settle = () => {
      if (settled) return;
      settled = true;
      clearTimeout(drainTimer);
      recorder.abandoned(recorder.inFlight);
      resolve(recorder.result('open', t0));
    };
    let drainTimer: NodeJS.Timeout | undefined;

    const fire = (scheduledAt: number, now: number) => {
      recorder.sent(now - scheduledAt);
      void timedRequest(pool, spec.target, spec.expectSseDone).then((timing) => {
        if (settled) return;
        recorder.finished(scheduledAt, timing);
        finished++;
        if (finished === total) settle();
      });
    };

    // Sends everything that is due, then sleeps until the next due time. setTimeout's ~1 ms
    // granularity batches a couple of sends per tick at high rates; each keeps its own due time.
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * intervalMs <= now) {
        fire(t0 + next * intervalMs, now);
        next++;
      }
      if (next < total) {
        setTimeout(tick, Math.max(0, t0 + next * intervalMs - performance.now()));
      } else {
        drainTimer = setTimeout(settle, DRAIN_DEADLINE_MS);
      }
    };
    setTimeout(tick, START_LEAD_MS);
  });
}

export async function runOpenLoop(spec: OpenLoopSpec): Promise<LoadResult> {
  const pool = new Pool(spec.target.origin, {
    connections: spec.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: DRAIN_DEADLINE_MS * 2,
    bodyTimeout: DRAIN_DEADLINE_MS * 2,
  });
  try {
    // Warm-up opens connections and lets both sides' JITs settle; its numbers are discarded.
    if (spec.warmupSeconds > 0) await runTimetable(pool, spec, spec.warmupSeconds);
    return await runTimetable(pool, spec, spec.seconds);
  } finally {
    // destroy, not close: abandoned requests must not keep the process alive.
    await pool.destroy();
  }
}
