import type { Redis } from 'ioredis';
import { ADMIT_SCRIPT, RECORD_SCRIPT, SCRIPT_VERSION, type RunScript } from './run-scripts.ts';
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

// Run state in Redis, shared by every gateway. Each operation is one atomic script (see
// run-scripts.ts). A run's keys carry a hash tag ({tenant|run}) so both land in one Redis
// Cluster slot; "|" is in neither a tenant name nor a run id, so two
// pairs never share a key.

export class RedisRunStore implements RunStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#prefix = `${keyPrefix}run:${SCRIPT_VERSION}:`;
  }

  /** The run's hash; its sightings' recency is in the same name + ":seen". */
  keyOf(key: RunKey): string {
    return `${this.#prefix}{${key.tenant}|${key.runId}}`;
  }

  async admit(key: RunKey, limits: RunLimits, fingerprint: string | undefined, now: number): Promise<Admission> {
    const reply = (await this.#run(ADMIT_SCRIPT, key, [
      now,
      limits.idleTimeoutMs,
      limit(limits.maxSteps),
      limit(limits.maxTokens),
      limit(limits.maxUsd),
      limit(limits.maxToolCalls),
      limit(limits.maxRepeats),
      fingerprint ?? '',
    ])) as [number, number | string];
    return reply[0] === 1 ? { ok: true, step: Number(reply[1]) } : { ok: false, end: parseEnd(String(reply[1])) };
  }

  async record(key: RunKey, limits: RunLimits, step: StepRecord, now: number): Promise<RecordOutcome> {
    const args: Array<string | number> = [
      now,
      limits.idleTimeoutMs,
      limit(limits.maxToolCalls),
      limit(limits.maxRepeats),
      step.step,
      Math.max(0, Math.round(step.tokens)),
      step.usd,
      step.fingerprint ?? '',
      MAX_TRACKED_PER_RUN,
    ];
    for (const call of step.toolCalls) args.push(call.name, call.identity);
    const reply = (await this.#run(RECORD_SCRIPT, key, args)) as [string, number, number[]];
    const end = reply[0] === '' ? undefined : parseEnd(reply[0]);
    return { end, endedNow: reply[1] === 1, repeats: reply[2].map(Number) };
  }

  /** EVALSHA on the run's two keys, loading the script on first use (or after Redis lost its script cache). */
  async #run(script: RunScript, run: RunKey, args: Array<string | number>): Promise<unknown> {
    const hash = this.keyOf(run);
    const keys = [hash, `${hash}:seen`];
    try {
      return await this.#redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.#redis.eval(script.lua, keys.length, ...keys, ...args);
    }
  }
}

const limit = (value: number | undefined): number => value ?? -1;

function parseEnd(json: string): RunEnd {
  const raw = JSON.parse(json) as RunEnd;
  const end: RunEnd = { reason: raw.reason, count: Number(raw.count), limit: Number(raw.limit), step: Number(raw.step) };
  return typeof raw.tool === 'string' ? { ...end, tool: raw.tool } : end;
}
