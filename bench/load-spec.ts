// What the orchestrator asks a load-generator process to do, and what it gets back. Passed as
// JSON across the process boundary, so plain data only.
import type { Summary } from './stats.ts';

export interface TargetEndpoint {
  /** e.g. http://127.0.0.1:8790 */
  origin: string;
  /** e.g. /v1/chat/completions */
  path: string;
  headers: Record<string, string>;
  /** Request body as sent (already JSON-encoded). */
  body: string;
}

export interface OpenLoopSpec {
  mode: 'open';
  target: TargetEndpoint;
  /** Requests per second, sent on a fixed timetable regardless of responses. */
  rate: number;
  warmupSeconds: number;
  seconds: number;
  /** Upper bound on sockets; high enough that requests never wait for one at sane latencies. */
  connections: number;
  /** Streaming requests: a response only counts as successful if it ends with `data: [DONE]`. */
  expectSseDone: boolean;
}

export interface ClosedLoopSpec {
  mode: 'closed';
  target: TargetEndpoint;
  /** Workers, each with its own connection, each sending its next request as soon as one completes. */
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  expectSseDone: boolean;
}

export type LoadSpec = OpenLoopSpec | ClosedLoopSpec;

export interface LoadResult {
  mode: 'open' | 'closed';
  /** Requests issued in the measured window (warm-up excluded). */
  sent: number;
  ok: number;
  errors: number;
  /** Error kinds and counts: "status 502", "UND_ERR_SOCKET", "no [DONE]", "timeout"... */
  errorKinds: Record<string, number>;
  /** Successful responses per second over the measured window (see README for the exact definition). */
  achievedRate: number;
  /** Milliseconds from the scheduled send time to the first response body byte, successes only. */
  ttfbMs: Summary;
  /** Milliseconds from the scheduled send time to the end of the response, successes only. */
  totalMs: Summary;
  /** Open loop only: how late the generator actually sent compared with its timetable. */
  sendLagMs?: Summary;
  /** Most requests in flight at once; above `connections` means some waited for a socket. */
  maxInFlight: number;
  /** CPU seconds the generator process used over its whole life (for the noise estimate). */
  generatorCpuSeconds: number;
}
