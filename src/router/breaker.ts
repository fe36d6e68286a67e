// Circuit breakers, one per target (provider/model). Closed: requests flow and consecutive
// failures are counted (and, with `errorRate`, the share of failures in a fixed window of
// at least `minRequests`). After `failures` in a row (or too high a share) it opens: nothing is sent to the
// target for `cooldown`. Then exactly one request is let through as a probe (half-open):
// its success closes the breaker, its failure opens it for another cooldown. A probe that
// never reports (its process died) is given up after one more cooldown.
//
// The same rules run in process memory (this file) and in Redis (breaker-redis.ts), so all
// replicas sharing a Redis skip a dead provider together.

export interface BreakerSettings {
  readonly failures: number;
  readonly cooldownMs: number;
  /** Also open when this share of a window's requests failed (undefined: consecutive failures only). */
  readonly errorRate?: { readonly rate: number; readonly windowMs: number; readonly minRequests: number };
}

export type BreakerState = 'closed' | 'open' | 'probe';

export interface BreakerCheck {
  /** `probe`: this request is the one that decides whether the breaker closes. */
  readonly state: BreakerState;
  /** Consecutive failures so far (a success only needs recording when this is > 0). */
  readonly failures: number;
}

export interface BreakerStore {
  check(key: string, settings: BreakerSettings): Promise<BreakerCheck>;
  record(key: string, settings: BreakerSettings, ok: boolean, probe: boolean): Promise<void>;
  /** Of `keys`, those whose breaker is open now (for /readyz). */
  openKeys(keys: readonly string[]): Promise<string[]>;
}

/** One breaker's state; `openUntil` 0 means closed. Times are epoch ms. */
export interface BreakerRecord {
  failures: number;
  openUntil: number;
  probeUntil: number;
  /** The error-rate window: when it began, requests and failures in it. */
  windowStart: number;
  windowTotal: number;
  windowFailed: number;
}

export const newRecord = (): BreakerRecord => ({ failures: 0, openUntil: 0, probeUntil: 0, windowStart: 0, windowTotal: 0, windowFailed: 0 });

/** The rules, shared by the memory store and mirrored by the Redis script. */
export function checkRecord(record: BreakerRecord, settings: BreakerSettings, now: number): BreakerState {
  if (record.openUntil === 0) return 'closed';
  if (now < record.openUntil || now < record.probeUntil) return 'open';
  record.probeUntil = now + settings.cooldownMs;
  return 'probe';
}

export function recordOutcome(record: BreakerRecord, settings: BreakerSettings, ok: boolean, probe: boolean, now: number): void {
  const errorRate = settings.errorRate;
  let rateTripped = false;
  if (errorRate !== undefined) {
    if (now - record.windowStart >= errorRate.windowMs) {
      record.windowStart = now;
      record.windowTotal = 0;
      record.windowFailed = 0;
    }
    record.windowTotal++;
    if (!ok) record.windowFailed++;
    rateTripped = record.windowTotal >= errorRate.minRequests && record.windowFailed / record.windowTotal >= errorRate.rate;
  }
  if (ok) {
    record.failures = 0;
    record.openUntil = 0;
    record.probeUntil = 0;
    return;
  }
  record.failures++;
  const wasOpen = record.openUntil !== 0;
  // A failure that started before the breaker opened does not extend the cooldown; a failed probe does.
  if ((wasOpen && probe) || (!wasOpen && (record.failures >= settings.failures || rateTripped))) {
    record.openUntil = now + settings.cooldownMs;
    record.probeUntil = 0;
    // Judge the target afresh once it is back.
    record.windowStart = now;
    record.windowTotal = 0;
    record.windowFailed = 0;
  }
}

export class MemoryBreakerStore implements BreakerStore {
  readonly #records = new Map<string, BreakerRecord>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  async check(key: string, settings: BreakerSettings): Promise<BreakerCheck> {
    const record = this.#records.get(key);
    if (record === undefined) return { state: 'closed', failures: 0 };
    return { state: checkRecord(record, settings, this.#now()), failures: record.failures };
  }

  async record(key: string, settings: BreakerSettings, ok: boolean, probe: boolean): Promise<void> {
    let record = this.#records.get(key);
    if (record === undefined) {
      if (ok && settings.errorRate === undefined) return;
      // Keyed by configured targets only, so the map is bounded by the config.
      record = newRecord();
      this.#records.set(key, record);
    }
    recordOutcome(record, settings, ok, probe, this.#now());
    if (ok && settings.errorRate === undefined) this.#records.delete(key);
  }

  async openKeys(keys: readonly string[]): Promise<string[]> {
    const now = this.#now();
    return keys.filter((key) => {
      const record = this.#records.get(key);
      return record !== undefined && record.openUntil !== 0 && (now < record.openUntil || now < record.probeUntil);
    });
  }
}
