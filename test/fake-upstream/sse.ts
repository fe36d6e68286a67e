import type { Exchange } from './exchange.ts';
import { responseHeaders, SSE_TYPE } from './respond.ts';
import type { Behaviour } from './types.ts';

/** One server-sent event. `event` is omitted by OpenAI and used by Anthropic-style APIs. */
export interface SseEvent {
  event?: string;
  data: string;
}

export interface SsePlan {
  /** The data events of a complete, successful stream. */
  events: SseEvent[];
  /** Sent after the events unless `endWithoutDone` (OpenAI: `data: [DONE]`; none for Anthropic). */
  terminator?: SseEvent;
  /** Sent in place of the rest of the stream for `errorEventAfterChunks`. */
  errorEvent: SseEvent;
}

function encode(e: SseEvent): string {
  return e.event === undefined ? `data: ${e.data}\n\n` : `event: ${e.event}\ndata: ${e.data}\n\n`;
}

/**
 * Streams a plan, applying the stream-shaped parts of a behaviour: delays between events, a cut
 * or an error event after N events, and a missing terminator.
 */
export async function streamSse(ex: Exchange, b: Behaviour, plan: SsePlan): Promise<void> {
  ex.res.writeHead(200, { 'cache-control': 'no-cache', ...responseHeaders(ex, b, b.contentType ?? SSE_TYPE) });
  // Headers go out immediately so time-to-first-byte does not wait for the first event.
  ex.res.flushHeaders();
  const { events } = plan;
  // "After N" with N beyond the stream's length still fires, just before the terminator.
  const reached = (n: number | undefined, sent: number) => n !== undefined && sent === Math.min(n, events.length);
  for (let sent = 0; ; sent++) {
    if (reached(b.errorEventAfterChunks, sent)) {
      ex.res.end(encode(plan.errorEvent));
      return;
    }
    if (reached(b.cutAfterChunks, sent)) {
      ex.cut();
      return;
    }
    const event = events[sent];
    if (event === undefined) break;
    if (sent > 0 && b.chunkDelayMs && !(await ex.sleep(b.chunkDelayMs))) return;
    if (!ex.open) return;
    ex.res.write(encode(event));
  }
  if (plan.terminator && !b.endWithoutDone) ex.res.end(encode(plan.terminator));
  else ex.res.end();
}
