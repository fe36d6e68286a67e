import type { Side } from './decide-side.ts';

// The side each agent run was first sent to, so the rest of the run stays there and the
// provider's prompt cache keeps hitting. In memory, per process: with several replicas a
// run may be decided once per replica. Bounded: at most `maxRuns` entries, least recently
// used dropped first, and a run idle for `idleMs` forgotten.

export const RUN_MEMORY = { maxRuns: 10_000, idleMs: 60 * 60 * 1000 } as const;

export class RunSides {
  // A Map iterates in insertion order; re-inserting on use keeps the least recent first.
  readonly #runs = new Map<string, { side: Side; usedAt: number }>();
  readonly #maxRuns: number;
  readonly #idleMs: number;
  readonly #now: () => number;

  constructor(options: { maxRuns: number; idleMs: number } = RUN_MEMORY, now: () => number = Date.now) {
    this.#maxRuns = options.maxRuns;
    this.#idleMs = options.idleMs;
    this.#now = now;
  }

  get size(): number {
    return this.#runs.size;
  }

  get(key: string): Side | undefined {
    const entry = this.#runs.get(key);
    if (entry === undefined) return undefined;
    this.#runs.delete(key);
    const now = this.#now();
    if (now - entry.usedAt > this.#idleMs) return undefined;
    entry.usedAt = now;
    this.#runs.set(key, entry);
    return entry.side;
  }

  set(key: string, side: Side): void {
    const now = this.#now();
    this.#runs.delete(key);
    this.#runs.set(key, { side, usedAt: now });
    // Drop the least recently used while over the bound or idle too long (amortised O(1)).
    for (const [oldest, entry] of this.#runs) {
      if (this.#runs.size <= this.#maxRuns && now - entry.usedAt <= this.#idleMs) break;
      this.#runs.delete(oldest);
    }
  }
}
