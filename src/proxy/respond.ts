import type { Result } from './context.ts';
import { sseBody } from './sse-writer.ts';

// The one place a pipeline result becomes an HTTP response. Headers are plain objects so
// the Node adapter can write them without building a Headers instance.

// While draining, ask keep-alive clients to reconnect (to another replica) after this response.
const CLOSE = { connection: 'close' } as const;

export function toResponse(
  result: Result,
  requestId: string,
  stop: AbortSignal,
  closing: boolean,
  extraHeaders: Readonly<Record<string, string>>,
): Response {
  if (result.kind === 'json') {
    return new Response((result.bytes as Uint8Array<ArrayBuffer> | undefined) ?? JSON.stringify(result.body), {
      status: result.status,
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...extraHeaders, ...(closing ? CLOSE : undefined), ...result.headers },
    });
  }
  return new Response(sseBody(result.events, stop, result.wire), {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': requestId,
      // Tell nginx-style proxies in front not to buffer the stream.
      'x-accel-buffering': 'no',
      ...extraHeaders,
      ...(closing ? CLOSE : undefined),
    },
  });
}
