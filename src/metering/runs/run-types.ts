// What the run guards count and decide, shared by the memory and Redis stores (which must
// behave the same: one contract suite runs against both).

/** One agent run: the tenant's name and the run id the agent sent. */
export interface RunKey {
  readonly tenant: string;
  readonly runId: string;
}

/** A tenant's per-run limits; an absent limit is not checked. */
export interface RunLimits {
  readonly maxSteps?: number;
  readonly maxTokens?: number;
  readonly maxUsd?: number;
  readonly maxToolCalls?: number;
  /** A tool call proposed more than this many times, or a request repeated more than this many times, ends the run. */
  readonly maxRepeats?: number;
  /** Run state is forgotten after this long without a step (ms). */
  readonly idleTimeoutMs: number;
}

/** Why a run was ended. Stored with the run, so every later step is refused the same way. */
export type RunEndReason = 'maxSteps' | 'maxTokens' | 'maxUsd' | 'maxToolCalls' | 'repeatedToolCall' | 'repeatedRequest';

export interface RunEnd {
  readonly reason: RunEndReason;
  /** The count that crossed the limit (steps, tokens, USD, tool calls, proposals of one call, repetitions of one request). */
  readonly count: number;
  readonly limit: number;
  /** The repeated tool's name, for `repeatedToolCall`. */
  readonly tool?: string;
  /** The step at which the run was ended. */
  readonly step: number;
}

export type Admission = { readonly ok: true; readonly step: number } | { readonly ok: false; readonly end: RunEnd };

/** One tool call the model proposed: its name and the hash of its canonical arguments. */
export interface ToolCallSighting {
  readonly name: string;
  /** Identifies name + canonical arguments; equal identities are the same call. */
  readonly identity: string;
}

/** What one served step cost and proposed. */
export interface StepRecord {
  readonly step: number;
  readonly tokens: number;
  readonly usd: number;
  readonly toolCalls: readonly ToolCallSighting[];
  /** The request's fingerprint, when it has one. */
  readonly fingerprint: string | undefined;
}

export interface RecordOutcome {
  /** Set when the run is ended (by this step, or before it). */
  readonly end: RunEnd | undefined;
  /** True when this very record ended the run (its answer should not be acted on). */
  readonly endedNow: boolean;
  /** For each sighting, how many times the run has now seen that call proposed. */
  readonly repeats: readonly number[];
}

export interface RunStore {
  /** Atomically: refuse an ended or over-limit run, or a repeated request; otherwise count a step. */
  admit(key: RunKey, limits: RunLimits, fingerprint: string | undefined, now: number): Promise<Admission>;
  /** Atomically: add a served step's tokens, cost and tool calls; end the run if they cross a limit. */
  record(key: RunKey, limits: RunLimits, step: StepRecord, now: number): Promise<RecordOutcome>;
}

/**
 * Distinct tool calls and request fingerprints remembered per run; past this, the least
 * recently seen is forgotten. A loop keeps its own call recent, so it is never the one lost.
 */
export const MAX_TRACKED_PER_RUN = 128;
