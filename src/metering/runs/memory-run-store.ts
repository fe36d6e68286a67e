import {
  MAX_TRACKED_PER_RUN,
  type Admission,
  type RecordOutcome,
  type RunEnd,
  type RunKey,
  type RunLimits,
  type RunStore,
  type StepRecord,
} from './run-types.ts';

// Run state in this process: for a single gateway, and as the stand-in when Redis is
// unreachable with `onUnavailable: allow`. Memory is bounded: a run is forgotten after its
// idle timeout, and past `maxRuns` the least recently active run is dropped. JavaScript
// runs one operation at a time, so each operation here is atomic as the Redis scripts are.
// The decisions mirror run-scripts.ts line for line; the shared contract suite holds both.

interface RunState {
  steps: number;
  tokens: number;
  usd: number;
  toolCalls: number;
  /** "t:<identity>" / "f:<fingerprint>" → times seen; least recently seen first. */
  readonly seen: Map<string, number>;
  end: RunEnd | undefined;
  last: number;
  expiresAt: number;
}

export interface MemoryRunStoreOptions {
  /** Runs held at most (default 10,000). */
  readonly maxRuns?: number;
  /** Called when a run is dropped for room before its idle timeout (its counts restart). */
  readonly onEvictActive?: () => void;
}

export class MemoryRunStore implements RunStore {
  // A Map iterates in insertion order; re-inserting on every touch keeps it least-recent first.
  readonly #runs = new Map<string, RunState>();
  readonly #maxRuns: number;
  readonly #onEvictActive: (() => void) | undefined;

  constructor(options: MemoryRunStoreOptions = {}) {
    this.#maxRuns = options.maxRuns ?? 10_000;
    this.#onEvictActive = options.onEvictActive;
  }

  get size(): number {
    return this.#runs.size;
  }

  async admit(key: RunKey, limits: RunLimits, fingerprint: string | undefined, now: number): Promise<Admission> {
    const run = this.#touch(key, limits, now);
    if (run.end !== undefined) return { ok: false, end: run.end };
    const next = run.steps + 1;
    const finish = (reason: RunEnd['reason'], count: number, limit: number): Admission => {
      run.end = { reason, count, limit, step: next };
      return { ok: false, end: run.end };
    };
    const { maxSteps, maxTokens, maxUsd, maxToolCalls, maxRepeats } = limits;
    if (maxSteps !== undefined && run.steps >= maxSteps) return finish('maxSteps', run.steps, maxSteps);
    if (maxTokens !== undefined && run.tokens >= maxTokens) return finish('maxTokens', run.tokens, maxTokens);
    if (maxUsd !== undefined && run.usd >= maxUsd) return finish('maxUsd', run.usd, maxUsd);
    if (maxToolCalls !== undefined && run.toolCalls > maxToolCalls) return finish('maxToolCalls', run.toolCalls, maxToolCalls);
    if (maxRepeats !== undefined && fingerprint !== undefined) {
      const seen = run.seen.get(`f:${fingerprint}`) ?? 0;
      // Sent `seen` times before, so this is repetition number `seen`: the first send is no repeat.
      if (seen > maxRepeats) return finish('repeatedRequest', seen, maxRepeats);
    }
    run.steps = next;
    return { ok: true, step: next };
  }

  async record(key: RunKey, limits: RunLimits, step: StepRecord, now: number): Promise<RecordOutcome> {
    const run = this.#touch(key, limits, now);
    run.tokens += step.tokens;
    run.usd += step.usd;
    run.toolCalls += step.toolCalls.length;
    const { maxRepeats, maxToolCalls } = limits;
    const repeats: number[] = [];
    let loop: { name: string; count: number } | undefined;
    for (const call of step.toolCalls) {
      const count = count1(run.seen, `t:${call.identity}`);
      repeats.push(count);
      if (loop === undefined && maxRepeats !== undefined && count > maxRepeats) loop = { name: call.name, count };
    }
    if (step.fingerprint !== undefined) count1(run.seen, `f:${step.fingerprint}`);

    let endedNow = false;
    if (run.end === undefined) {
      if (loop !== undefined) {
        run.end = { reason: 'repeatedToolCall', count: loop.count, limit: maxRepeats!, tool: loop.name, step: step.step };
      } else if (maxToolCalls !== undefined && run.toolCalls > maxToolCalls) {
        run.end = { reason: 'maxToolCalls', count: run.toolCalls, limit: maxToolCalls, step: step.step };
      }
      endedNow = run.end !== undefined;
    }
    return { end: run.end, endedNow, repeats };
  }

  /** The run's live state (fresh if unknown or idle past its timeout), marked as just used. */
  #touch(key: RunKey, limits: RunLimits, now: number): RunState {
    const id = `${key.tenant}\u0000${key.runId}`;
    let run = this.#runs.get(id);
    if (run !== undefined) this.#runs.delete(id);
    if (run === undefined || now - run.last > limits.idleTimeoutMs) {
      run = { steps: 0, tokens: 0, usd: 0, toolCalls: 0, seen: new Map(), end: undefined, last: now, expiresAt: 0 };
    }
    run.last = now;
    run.expiresAt = now + limits.idleTimeoutMs;
    this.#evict(now);
    this.#runs.set(id, run);
    return run;
  }

  /** Drops idle runs from the least-recent end, then makes room for one more. */
  #evict(now: number): void {
    for (const [id, run] of this.#runs) {
      if (run.expiresAt >= now && this.#runs.size < this.#maxRuns) break;
      this.#runs.delete(id);
      if (run.expiresAt >= now) this.#onEvictActive?.();
    }
  }
}

/** Counts one more sighting of `field`, forgetting the least recently seen one when full. */
function count1(seen: Map<string, number>, field: string): number {
  const count = (seen.get(field) ?? 0) + 1;
  seen.delete(field);
  if (count === 1 && seen.size >= MAX_TRACKED_PER_RUN) seen.delete(seen.keys().next().value!);
  seen.set(field, count);
  return count;
}
