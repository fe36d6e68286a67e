import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RecordedRequest } from './types.ts';

/**
 * One request/response pair plus the bookkeeping every route needs: abortable sleeps, a
 * deliberate connection cut, and telling a client abort apart from a normal finish.
 */
export class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly record: RecordedRequest;
  /** Monotonic per-server number; used to build ids that are unique and reproducible. */
  readonly seq: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown = undefined;
  /** True when a non-empty body failed to parse as JSON. */
  jsonInvalid = false;
  /** False once the connection is gone (client abort, our own cut, or the response finished). */
  open = true;

  #serverCut = false;
  #pendingSleeps = new Map<NodeJS.Timeout, (stillOpen: boolean) => void>();

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordedRequest,
    seq: number,
    onAbort: (record: RecordedRequest) => void,
  ) {
    this.req = req;
    this.res = res;
    this.record = record;
    this.seq = seq;
    res.on('close', () => {
      this.open = false;
      // 'close' also follows a normal finish; only an unfinished response that we did not cut
      // ourselves means the client went away.
      if (!res.writableFinished && !this.#serverCut) {
        record.aborted = true;
        onAbort(record);
      }
      for (const [timer, wake] of this.#pendingSleeps) {
        clearTimeout(timer);
        wake(false);
      }
      this.#pendingSleeps.clear();
    });
  }

  /** Waits `ms`; resolves false (early) if the connection closes meanwhile, so callers stop working. */
  sleep(ms: number): Promise<boolean> {
    if (!this.open) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pendingSleeps.delete(timer);
        resolve(this.open);
      }, ms);
      this.#pendingSleeps.set(timer, resolve);
    });
  }

  /**
   * Closes the connection mid-response on purpose. `end` (not `destroy`) first so the bytes already
   * written reach the client before the FIN; then destroy so a lingering half-open socket cannot
   * keep the response alive.
   */
  cut(): void {
    this.#serverCut = true;
    if (!this.res.headersSent) this.res.flushHeaders();
    const socket = this.res.socket;
    if (!socket) return;
    socket.end(() => socket.destroy());
  }
}
