// Keeps an agent run (the `x-tollgate-run-id` header) on the target it started on, so a
// staged rollout (weights moving 95/5) never switches model mid-run. Bounded: the oldest
// idle entries go first when full, and entries idle for longer than `idleMs` expire.


export class RunAffinity {
  // Map order is recency order: a touched entry is re-inserted at the end.
  readonly #entries = new Map<string, { target: string; seenAt: number }>();
  readonly #maxEntries: number;
  readonly #idleMs: number;
  readonly #now: () => number;

  constructor(options: { maxEntries?: number; idleMs?: number; now?: () => number } = {}) {
    this.#maxEntries = options.maxEntries ?? 50_000;
    this.#idleMs = options.idleMs ?? 30 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The target key this run is pinned to for `alias`, if any. */
  get(runId: string, alias: string): string | undefined {
    const key = `${alias}\n${runId}`;
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const now = this.#now();
    this.#entries.delete(key);
    if (now - entry.seenAt > this.#idleMs) return undefined;
    entry.seenAt = now;
    this.#entries.set(key, entry);
    return entry.target;
  }

  /** Pins the run to `target` unless it is pinned already (the first target it used wins). */
  pin(runId: string, alias: string, target: string): void {
    const key = `${alias}\n${runId}`;
    if (this.#entries.has(key)) return;
    this.#entries.set(key, { target, seenAt: this.#now() });
    this.#evict();
  }

  #evict(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && now - entry.seenAt <= this.#idleMs) break;
      this.#entries.delete(key);
    }
  }
}

/** Runs are per tenant: two tenants' agents may pick the same run id. */
export function runKeyOf(tenant: string, runId: string): string {
  return `${tenant}\n${runId}`;
}
