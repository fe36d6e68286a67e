import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { StateConfig } from '../config/schema.ts';
import { GatewayError } from '../proxy/errors.ts';

// The one place that knows where shared state lives. Each feature (budgets, run guards,
// breakers, cache) has a store interface with a memory and a Redis implementation; this
// module gives them the Redis connection and decides what happens when Redis is away:
// `deny` fails the request closed (503 state_unavailable), `allow` serves it from the
// process-local memory store as a bounded stand-in, logged loudly. Commands never queue
// while disconnected (a request must not hang on a dead Redis); the client reconnects in
// the background, so a Redis that comes back is used again without a restart.

export interface SharedState {
  readonly kind: 'memory' | 'redis';
  /** The connection; undefined for the memory kind. */
  readonly redis: Redis | undefined;
  /** Prepended to every Redis key. */
  readonly keyPrefix: string;
  /** Runs `remote` against Redis; if Redis is unreachable, applies the configured policy. */
  guarded<T>(remote: () => Promise<T>, local: () => Promise<T> | T, what: string): Promise<T>;
  /** Fallbacks to local state since start (Redis unreachable with `onUnavailable: allow`). */
  readonly fallbacks: number;
  /** Told of every Redis operation (its name, ms taken, whether Redis answered); set by telemetry. */
  observer: StateObserver | undefined;
  /** Resolves true once connected, or false after `timeoutMs` (start-up waits on this). */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export type StateObserver = (what: string, ms: number, ok: boolean) => void;

const COMMAND_TIMEOUT_MS = 1_000;
const WARN_EVERY_MS = 10_000;

export function connectState(config: StateConfig, logger: Logger): SharedState {
  if (config.kind === 'memory') {
    return {
      kind: 'memory',
      redis: undefined,
      keyPrefix: '',
      guarded: async (_remote, local) => local(),
      fallbacks: 0,
      observer: undefined,
      ready: async () => true,
      close: async () => {},
    };
  }
  const redis = new Redis(config.url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    // Keep trying forever, backing off to 2 s: Redis coming back is picked up without restart.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  });
  let lastWarn = 0;
  let fallbacks = 0;
  const warn = (what: string, err: unknown) => {
    const now = Date.now();
    if (now - lastWarn < WARN_EVERY_MS) return;
    lastWarn = now;
    const policy = config.onUnavailable === 'allow' ? 'serving from local state' : 'refusing requests (503)';
    logger.warn({ err: describe(err), what }, `Redis state store unavailable: ${policy}`);
  };
  // ioredis reports connection errors as events too; they are expected while Redis is down.
  redis.on('error', (err) => warn('connection', err));

  const state: SharedState = {
    kind: 'redis',
    redis,
    keyPrefix: config.keyPrefix,
    observer: undefined,
    get fallbacks() {
      return fallbacks;
    },
    async guarded(remote, local, what) {
      const observer = state.observer;
      const started = observer === undefined ? 0 : performance.now();
      try {
        const value = await remote();
        observer?.(what, performance.now() - started, true);
        return value;
      } catch (err) {
        observer?.(what, performance.now() - started, !isUnavailable(err));
        if (!isUnavailable(err)) throw err;
        warn(what, err);
        if (config.onUnavailable === 'deny') {
          throw new GatewayError('state_unavailable', 'The gateway cannot reach its shared state store; try again shortly.', {
            cause: err,
            retryAfter: '1',
          });
        }
        fallbacks++;
        return local();
      }
    },
    ready(timeoutMs) {
      if (redis.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          resolve(ok);
        };
        const onReady = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        redis.once('ready', onReady);
      });
    },
    async close() {
      redis.disconnect(false);
    },
  };
  return state;
}

/** Connection-level failures (as opposed to a script's own error, which is a bug). */
function isUnavailable(err: unknown): boolean {
  if (err instanceof GatewayError) return false;
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' ||
    /Stream isn't writeable|enableOfflineQueue|Connection is closed|Command timed out|max retries|ECONN|ETIMEDOUT|EHOSTUNREACH|LOADING|MASTERDOWN|READONLY|CLUSTERDOWN|TRYAGAIN/i.test(message)
  );
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.message === 'string' ? e.message.slice(0, 200) : String(err);
}
