import type { Exchange } from './exchange.ts';
import { streamBig, streamGiantLine } from './hostile.ts';
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
  if (b.giantSseLine) return streamGiantLine(ex, b, plan.events[0]!.data);
  if (b.bigStream) return streamBig(ex, b, plan.events[0]!.data);
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
    // Endless: once the content runs out, repeat a content event until the client gives up.
    const event = b.endless && sent >= events.length - 1 ? events[Math.min(1, events.length - 1)] : events[sent];
    if (event === undefined) break;
    const delay = b.chunkDelayMs ?? (b.endless ? 50 : 0);
    if (sent > 0 && delay && !(await ex.sleep(delay))) return;
    if (!ex.open) return;
    ex.res.write(encode(event));
  }
  if (plan.terminator && !b.endWithoutDone) {
    if (b.afterDoneDelayMs === undefined) ex.res.end(encode(plan.terminator));
    else {
      // [DONE] first, the end of the response a little later: a client that stops reading
      // at [DONE] leaves the response unfinished, and its connection cannot be reused.
      ex.res.write(encode(plan.terminator));
      if (await ex.sleep(b.afterDoneDelayMs)) ex.res.end();
    }
  } else ex.res.end();
}
