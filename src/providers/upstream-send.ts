import type { Pool } from 'undici';
import { GatewayError } from '../proxy/errors.ts';
import { readRateLimit, retryAfterMs, type RateLimitSnapshot } from '../router/upstream-headers.ts';
import { declaredLength, readBounded } from './openai/bounded-body.ts';
import type { CallGuard } from './openai/call-guard.ts';

// The one send step every HTTP provider adapter shares: POST the body under the call's
// deadlines, accept a 2xx of the right shape, and turn anything else into a GatewayError in
// the provider's own dialect (its status errors, and errors some servers put in a 2xx body).

export type UpstreamReply = Awaited<ReturnType<Pool['request']>>;

const MAX_ERROR_BODY = 64 * 1024;
const EVENT_STREAM = /^\s*text\/event-stream\s*(?:;|$)/i;

export interface SendOptions {
  readonly provider: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly stream: boolean;
  readonly guard: CallGuard;
  /** A non-2xx answer, read (at most 64 KB) into the provider's error. */
  statusError(status: number, text: string, retryAfter: string | undefined): GatewayError;
  /** A 2xx that is not an event stream, to a streaming request: its error, when it carries one. */
  reportedError(text: string): GatewayError | undefined;
}

/** Sends the request; resolves with a 2xx answer whose shape fits, and the provider's rate-limit headers. */
export async function sendUpstream(pool: Pool, options: SendOptions): Promise<{ reply: UpstreamReply; rateLimit: RateLimitSnapshot | undefined }> {
  const { guard, stream, provider } = options;
  let reply: UpstreamReply;
  try {
    reply = await pool.request({
      path: options.path,
      method: 'POST',
      headers: { ...options.headers, accept: stream ? 'text/event-stream' : 'application/json' },
      body: JSON.stringify(options.body),
      signal: guard.signal,
    });
  } catch (err) {
    guard.finish(true);
    throw guard.explain(err, provider, 'connect');
  }
  // For a stream, the first byte that counts is its first event (the adapter's stream opener).
  if (!stream) guard.firstByte();
  const contentType = String(reply.headers['content-type'] ?? '');
  const ok = reply.statusCode >= 200 && reply.statusCode < 300;
  if (ok && (!stream || EVENT_STREAM.test(contentType))) return { reply, rateLimit: readRateLimit(reply.headers) };

  const text = await readLimited(reply.body, MAX_ERROR_BODY).catch(() => '');
  guard.finish(true);
  if (!ok) {
    const retryAfter = reply.headers['retry-after'];
    const error = options.statusError(reply.statusCode, text, typeof retryAfter === 'string' ? retryAfter : undefined);
    throw error.with({ upstream: { status: reply.statusCode, retryAfterMs: retryAfterMs(reply.headers) } });
  }
  throw (
    options.reportedError(text) ??
    new GatewayError('upstream_error', `Provider "${provider}" answered a streaming request with ${contentType || 'no content type'}, not an event stream.`)
  );
}

/**
 * Reads a non-streaming answer whole, within `maxBytes` (refused from Content-Length before
 * reading, or as it crosses the limit), the idle clock restarted per chunk. A refused or
 * broken body cancels the request, so its connection is closed rather than drained.
 */
export async function readAnswer(reply: UpstreamReply, guard: CallGuard, provider: string, maxBytes: number): Promise<Buffer> {
  try {
    const bytes = await readBounded(reply.body, {
      provider,
      maxBytes,
      declaredLength: declaredLength(reply.headers['content-length']),
      onChunk: () => guard.touch(),
    });
    guard.finish(false);
    return bytes;
  } catch (err) {
    guard.finish(true);
    throw guard.explain(err, provider, 'body');
  }
}

async function readLimited(body: UpstreamReply['body'], limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
