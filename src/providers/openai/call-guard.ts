import { GatewayError } from '../../proxy/errors.ts';

// One upstream call's cancellation: the client going away, the first-byte, idle and total
// deadlines all abort the same controller, and the reason says which one fired, so the
// failure maps to the right error (a timeout is 504; a vanished client is nobody's 5xx).
// The deadlines are our own timers: they must hold whatever the HTTP client does.

export const CLIENT_GONE = 'client_gone';

export class CallGuard {
  readonly signal: AbortSignal;
  readonly #controller = new AbortController();
  readonly #clientSignal: AbortSignal;
  readonly #onClientAbort = () => this.#controller.abort(CLIENT_GONE);
  #firstByteTimer: NodeJS.Timeout | undefined;
  #idleTimer: NodeJS.Timeout | undefined;
  #awaitingProvider = true;
  readonly #totalTimer: NodeJS.Timeout;
  readonly #provider: string;
  readonly #idleMs: number;

  constructor(provider: string, clientSignal: AbortSignal, timeouts: { firstByte: number; idle: number; total: number }) {
    const { firstByte: firstByteMs, total: totalMs } = timeouts;
    this.#provider = provider;
    this.#idleMs = timeouts.idle;
    this.signal = this.#controller.signal;
    this.#clientSignal = clientSignal;
    if (clientSignal.aborted) this.#controller.abort(CLIENT_GONE);
    else clientSignal.addEventListener('abort', this.#onClientAbort, { once: true });
    this.#firstByteTimer = setTimeout(
      () => this.#abortTimeout(`Provider "${provider}" sent nothing within ${firstByteMs} ms.`),
      firstByteMs,
    );
    this.#totalTimer = setTimeout(
      () => this.#abortTimeout(`Provider "${provider}" did not finish within ${totalMs} ms.`),
      totalMs,
    );
  }

  /** The first byte (response headers) arrived: from now on, silence is limited by the idle timeout. */
  firstByte(): void {
    clearTimeout(this.#firstByteTimer);
    this.#firstByteTimer = undefined;
    this.#idleTimer ??= setTimeout(() => {
      // Only the provider's silence counts: while the gateway holds a chunk (a slow client,
      // backpressure), nobody is waiting for the provider and the timer does not apply.
      if (this.#awaitingProvider) this.#abortTimeout(`Provider "${this.#provider}" went silent for ${this.#idleMs} ms mid-response.`);
    }, this.#idleMs);
  }

  /** A body chunk arrived while still waiting for more: restart the idle clock (no allocation). */
  touch(): void {
    this.#idleTimer?.refresh();
  }

  /** The gateway now waits for the provider's next chunk: the idle clock starts afresh. */
  resume(): void {
    this.#awaitingProvider = true;
    this.#idleTimer?.refresh();
  }

  /** The consumer holds a chunk: the provider is not being waited for, so its idle clock stops. */
  pause(): void {
    this.#awaitingProvider = false;
  }

  /**
   * Frees the timers and listener; with `cancel`, also aborts the upstream request (which
   * closes its connection). A call that completed is not cancelled, so its connection is
   * reused. Safe to call twice.
   */
  finish(cancel: boolean): void {
    clearTimeout(this.#firstByteTimer);
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#totalTimer);
    this.#clientSignal.removeEventListener('abort', this.#onClientAbort);
    if (cancel && !this.#controller.signal.aborted) this.#controller.abort('cancelled');
  }

  get clientGone(): boolean {
    return this.signal.reason === CLIENT_GONE;
  }

  /**
   * Maps a failure of the underlying HTTP call. The abort reason wins over the error
   * itself, since an aborted call fails with a generic AbortError.
   */
  explain(err: unknown, provider: string, phase: 'connect' | 'body'): GatewayError {
    if (err instanceof GatewayError) return err;
    const reason = this.signal.aborted ? this.signal.reason : undefined;
    if (reason instanceof GatewayError) return reason;
    if (reason === CLIENT_GONE) return new GatewayError('upstream_error', 'The client closed the connection.', { cause: err });
    const code = (err as { code?: unknown } | null)?.code;
    switch (code) {
      case 'UND_ERR_HEADERS_TIMEOUT':
      case 'UND_ERR_BODY_TIMEOUT':
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new GatewayError('upstream_timeout', `Provider "${provider}" timed out (${timeoutWhat(code)}).`, { cause: err });
      default:
        return new GatewayError(
          'upstream_error',
          phase === 'connect'
            ? `Could not reach provider "${provider}" (${describe(err)}).`
            : `The connection to provider "${provider}" broke before the response was complete (${describe(err)}).`,
          { cause: err },
        );
    }
  }

  #abortTimeout(message: string): void {
    this.#controller.abort(new GatewayError('upstream_timeout', message));
  }
}

function timeoutWhat(code: string): string {
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect';
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'waiting for response headers';
  return 'idle between response chunks';
}

// Error codes and names only: messages from the network stack can carry hostnames and
// addresses, which are fine, but never headers or keys.
function describe(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.name === 'string' && e.name !== 'Error') return e.name;
  return typeof e?.message === 'string' ? e.message.slice(0, 200) : 'unknown error';
}
