import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from './exchange.ts';
import { applyHostileJson, write } from './hostile.ts';
import type { Behaviour } from './types.ts';

export const JSON_TYPE = 'application/json';
export const SSE_TYPE = 'text/event-stream; charset=utf-8';

/** Builds a provider-shaped error body for a status; each API family supplies its own. */
export type ErrorBodyFor = (status: number) => unknown;

/** Response headers: content type, a request id like real providers send, then the scripted extras. */
export function responseHeaders(ex: Exchange, b: Behaviour, contentType: string): OutgoingHttpHeaders {
  return { 'content-type': contentType, 'x-request-id': `req_fake_${ex.seq}`, ...b.headers };
}

export function sendBody(ex: Exchange, b: Behaviour, status: number, contentType: string, body: string): void {
  const headers = responseHeaders(ex, b, contentType);
  headers['content-length'] = Buffer.byteLength(body);
  ex.res.writeHead(status, headers);
  ex.res.end(body);
}

/**
 * Sends a JSON body. With `cutAfterChunks` set the full content-length is announced but only half
 * the body is written before the connection is closed, so the client sees a truncated response.
 */
export function sendJson(ex: Exchange, b: Behaviour, status: number, body: unknown, contentType = JSON_TYPE): Promise<void> | void {
  const text = JSON.stringify(body);
  if (b.bodyPieces !== undefined) return trickle(ex, b, status, contentType, Buffer.from(text), b.bodyPieces);
  if (b.cutAfterChunks === undefined) {
    sendBody(ex, b, status, contentType, text);
    return;
  }
  const bytes = Buffer.from(text);
  const headers = responseHeaders(ex, b, contentType);
  headers['content-length'] = bytes.length;
  ex.res.writeHead(status, headers);
  ex.res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
  ex.cut();
}

/** Sends a body in `pieces` writes, `chunkDelayMs` apart (a slow but steady provider). */
async function trickle(ex: Exchange, b: Behaviour, status: number, contentType: string, bytes: Buffer, pieces: number): Promise<void> {
  const headers = responseHeaders(ex, b, contentType);
  headers['content-length'] = bytes.length;
  ex.res.writeHead(status, headers);
  const size = Math.ceil(bytes.length / Math.max(1, pieces));
  for (let at = 0; at < bytes.length; at += size) {
    if (at > 0 && !(await ex.sleep(b.chunkDelayMs ?? 0))) return;
    if (!(await write(ex, bytes.subarray(at, at + size)))) return;
  }
  ex.res.end();
}

/**
 * The part of a scripted behaviour that is the same for every route: hanging, latency, raw bodies
 * and error statuses. Returns true when the request has been dealt with (or must not be answered).
 */
export async function applyCommonBehaviour(
  ex: Exchange,
  b: Behaviour,
  opts: { streaming: boolean; errorBodyFor: ErrorBodyFor },
): Promise<boolean> {
  // A hanging request keeps its socket; Exchange notices the client abort and marks the record.
  if (b.hang) return true;
  if (b.latencyMs && !(await ex.sleep(b.latencyMs))) return true;
  if (await applyHostileJson(ex, b, opts.streaming)) return true;
  const status = b.status ?? 200;
  if (b.rawBody !== undefined) {
    const defaultType = opts.streaming && status === 200 ? SSE_TYPE : JSON_TYPE;
    sendBody(ex, b, status, b.contentType ?? defaultType, b.rawBody);
    return true;
  }
  if (status !== 200) {
    sendBody(ex, b, status, b.contentType ?? JSON_TYPE, JSON.stringify(opts.errorBodyFor(status)));
    return true;
  }
  return false;
}

/** Whether to answer as SSE: the request's `stream` flag unless the behaviour forces a content type. */
export function answersAsStream(requestedStream: boolean, b: Behaviour): boolean {
  if (b.contentType === undefined) return requestedStream;
  if (b.contentType.includes('event-stream')) return true;
  if (b.contentType.includes('json')) return false;
  return requestedStream;
}
