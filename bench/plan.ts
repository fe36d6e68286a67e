// What the benchmark runs: scenarios, durations, and the requests each side receives.
import type { LoadSpec, TargetEndpoint } from './load-spec.ts';
import { GATEWAY_MODEL, UPSTREAM_MODEL } from './services.ts';

export interface Durations {
  warmupSeconds: number;
  openLoopSeconds: number;
  closedLoopSeconds: number;
  /** How long the gateway sits idle before its "after idle" RSS is read. */
  idleSeconds: number;
}

export const FULL_DURATIONS: Durations = { warmupSeconds: 2, openLoopSeconds: 12, closedLoopSeconds: 10, idleSeconds: 5 };
export const QUICK_DURATIONS: Durations = { warmupSeconds: 1, openLoopSeconds: 2.5, closedLoopSeconds: 2.5, idleSeconds: 2 };

/** Sockets the open-loop generator may open: at 2000 req/s that covers 250 ms of queueing. */
export const OPEN_LOOP_CONNECTIONS = 512;
export const SATURATION_CONCURRENCY = 64;
/** Streams are split into this many content pieces, a few ms apart, like a (very fast) model. */
export const STREAM_CHUNKS = 8;
export const DEFAULT_STREAM_CHUNK_DELAY_MS = 2;

export type ScenarioKind = 'latency' | 'streaming' | 'saturation';

export interface Scenario {
  id: string;
  kind: ScenarioKind;
  stream: boolean;
  /** Open loop: requests per second. */
  rate?: number;
  /** Closed loop: concurrent connections. */
  concurrency?: number;
}

export const SCENARIOS: Scenario[] = [
  { id: 'latency-500', kind: 'latency', stream: false, rate: 500 },
  { id: 'latency-2000', kind: 'latency', stream: false, rate: 2000 },
  { id: 'streaming-500', kind: 'streaming', stream: true, rate: 500 },
  { id: 'saturation-64', kind: 'saturation', stream: false, concurrency: SATURATION_CONCURRENCY },
];

export type Side = 'direct' | 'gateway';

// A short agent-style turn; the same text both ways so request sizes match.
const PROMPT =
  'You are a careful assistant. Summarise the following status update in one sentence: ' +
  'the nightly build passed, two flaky tests were quarantined, and the release is on track for Thursday.';

export function endpointFor(side: Side, origin: string, bearer: string, stream: boolean): TargetEndpoint {
  const body: Record<string, unknown> = {
    model: side === 'gateway' ? GATEWAY_MODEL : UPSTREAM_MODEL,
    messages: [{ role: 'user', content: PROMPT }],
  };
  if (stream) body.stream = true;
  return {
    origin,
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify(body),
  };
}

export function loadSpecFor(scenario: Scenario, target: TargetEndpoint, d: Durations): LoadSpec {
  if (scenario.kind === 'saturation') {
    return {
      mode: 'closed',
      target,
      concurrency: scenario.concurrency ?? SATURATION_CONCURRENCY,
      warmupSeconds: d.warmupSeconds,
      seconds: d.closedLoopSeconds,
      expectSseDone: scenario.stream,
    };
  }
  return {
    mode: 'open',
    target,
    rate: scenario.rate ?? 500,
    warmupSeconds: d.warmupSeconds,
    seconds: d.openLoopSeconds,
    connections: OPEN_LOOP_CONNECTIONS,
    expectSseDone: scenario.stream,
  };
}
