import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { RateLimitedLog } from './rate-limited-log.ts';

// The connection cap. Past it, Node closes new connections at once (each one a 'drop'),
// which is logged, rate-limited. Idle keep-alive connections are closed when the count
// nears the cap, so clients that merely hold a connection open cannot starve new ones (a
// health check, say); connections that never send a request are ended by the headers
// timeout. The open-file limit can lower the cap: each proxied request also needs a socket
// to its provider, so only half the descriptors go to clients.

/** Connections at or past this share of the cap trigger closing idle keep-alive ones. */
const TRIM_AT = 0.9;
/** Closing idle connections walks them all: not more often than this. */
const TRIM_EVERY_MS = 1_000;
/** Descriptors kept for everything that is not a client: log output, config, DNS, upstreams' spare. */
const RESERVED_FDS = 32;

export interface ConnectionCap {
  readonly maxConnections: number;
  /** Set when the open-file limit lowered the configured cap. */
  readonly openFileLimit?: number;
  /** The cap the config asked for. */
  readonly configured?: number;
}

export function connectionCap(configured: number, openFiles = openFileLimit()): ConnectionCap {
  if (openFiles === undefined) return { maxConnections: configured };
  const allowed = Math.max(1, Math.floor((openFiles - RESERVED_FDS) / 2));
  return allowed < configured ? { maxConnections: allowed, openFileLimit: openFiles, configured } : { maxConnections: configured };
}

/** The soft open-file limit on Linux (Node raises it to the hard limit at start), else undefined. */
function openFileLimit(): number | undefined {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function capConnections(server: Server, cap: ConnectionCap, logger: Logger, onConnection: (socket: Socket) => void): void {
  const { maxConnections } = cap;
  if (cap.openFileLimit !== undefined) {
    // Lowered by a few connections (the default 10,000 under a 20,000 file limit) is no news.
    const worthAWarning = cap.configured === undefined || maxConnections < cap.configured * 0.9;
    logger[worthAWarning ? 'warn' : 'info'](
      { maxConnections, openFileLimit: cap.openFileLimit },
      `server.maxConnections lowered to ${maxConnections}: the open-file limit is ${cap.openFileLimit} (raise it with ulimit -n)`,
    );
  }
  server.maxConnections = maxConnections;
  const trimAt = Math.max(1, Math.floor(maxConnections * TRIM_AT));
  let open = 0;
  let lastTrim = Number.NEGATIVE_INFINITY;
  const trimIdle = () => {
    const now = performance.now();
    if (now - lastTrim < TRIM_EVERY_MS) return;
    lastTrim = now;
    server.closeIdleConnections();
  };
  const onClose = () => open--;
  server.on('connection', (socket: Socket) => {
    open++;
    socket.once('close', onClose);
    onConnection(socket);
    if (open >= trimAt) trimIdle();
  });
  const drops = new RateLimitedLog(logger, 'warn');
  server.on('drop', () => {
    trimIdle();
    drops.log({ maxConnections }, 'connection limit reached: new connections are closed until some end');
  });
}

/**
 * Errors the server reports after it started (an accept failure such as EMFILE) are logged,
 * rate-limited, and the gateway keeps serving.
 */
export function logServerErrors(server: Server, logger: Logger): void {
  const errors = new RateLimitedLog(logger, 'error');
  server.on('error', (err: Error) => errors.log({ err }, `server error (still serving): ${err.message}`));
}
