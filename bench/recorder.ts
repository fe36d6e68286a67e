// Collects the outcome of each measured request and turns it into a LoadResult.
import type { LoadResult } from './load-spec.ts';
import { summarize } from './stats.ts';
import type { Timing } from './timed-request.ts';

export class Recorder {
  readonly #ttfbMs: number[] = [];
  readonly #totalMs: number[] = [];
  readonly #sendLagMs: number[] = [];
  readonly #errorKinds: Record<string, number> = {};
  #sent = 0;
  #errors = 0;
  #lastSuccessAt = -1;
  #inFlight = 0;
  #maxInFlight = 0;

  /** Call when a request is handed to the client; `lagMs` is how late that was versus the timetable. */
  sent(lagMs?: number): void {
    this.#sent++;
    this.#inFlight++;
    if (this.#inFlight > this.#maxInFlight) this.#maxInFlight = this.#inFlight;
    if (lagMs !== undefined) this.#sendLagMs.push(lagMs);
  }

  /** `startAt` is the scheduled start (open loop) or the actual send time (closed loop). */
  finished(startAt: number, t: Timing): void {
    this.#inFlight--;
    if (t.ok) {
      this.#ttfbMs.push(t.firstByteAt - startAt);
      this.#totalMs.push(t.endAt - startAt);
      if (t.endAt > this.#lastSuccessAt) this.#lastSuccessAt = t.endAt;
    } else {
      this.#failed(t.errorKind);
    }
  }

  /** For requests that never finished (abandoned at the drain deadline). */
  abandoned(count: number): void {
    this.#inFlight -= count;
    for (let i = 0; i < count; i++) this.#failed('timeout');
  }

  #failed(kind: string): void {
    this.#errors++;
    this.#errorKinds[kind] = (this.#errorKinds[kind] ?? 0) + 1;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Achieved rate = successes / (last success − window start): if responses fall behind the
   * timetable, the window stretches and the rate drops below target.
   */
  result(mode: 'open' | 'closed', windowStartAt: number): LoadResult {
    const ok = this.#totalMs.length;
    const windowSeconds = (this.#lastSuccessAt - windowStartAt) / 1000;
    const result: LoadResult = {
      mode,
      sent: this.#sent,
      ok,
      errors: this.#errors,
      errorKinds: this.#errorKinds,
      achievedRate: ok > 0 && windowSeconds > 0 ? ok / windowSeconds : 0,
      ttfbMs: summarize(this.#ttfbMs),
      totalMs: summarize(this.#totalMs),
      maxInFlight: this.#maxInFlight,
      // Filled in by the process entry point once the whole run (warm-up included) is over.
      generatorCpuSeconds: 0,
    };
    if (this.#sendLagMs.length > 0) result.sendLagMs = summarize(this.#sendLagMs);
    return result;
  }
}
