import type { SseEvent } from '../providers/types.ts';
import { GatewayError, toGatewayError } from './errors.ts';

// Turns a stream of events into the bytes of an OpenAI event stream. Success ends with
// `data: [DONE]`; a failure after the commit point ends with an error event and no [DONE],
// so no client can mistake a broken answer for a finished one. Reading is driven by the
// socket (pull), so a slow client slows the upstream instead of filling memory.
//
// Each pull awaits only the source's next event. The drain-timeout signal is handled by its
// own listener, which ends the stream and cancels the source directly: racing every read
// against a long-lived "stopped" promise would add one reaction to that promise per event,
// so a long stream would grow without bound.

const DONE = Buffer.from('data: [DONE]\n\n');

/** `stop` ends the stream early with a `shutting_down` error event (drain timeout ran out). */
export function sseBody(events: AsyncIterable<SseEvent>, stop: AbortSignal): ReadableStream<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]();
  let open = true;
  let onStop: (() => void) | undefined;

  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, last: Uint8Array) => {
    open = false;
    if (onStop !== undefined) stop.removeEventListener('abort', onStop);
    controller.enqueue(last);
    controller.close();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onStop = () => {
          if (!open) return;
          finish(controller, errorEvent(new GatewayError('shutting_down', 'The gateway is shutting down; the stream was ended before it finished.')));
          // Cancels the upstream call; a read still pending on it settles into a closed stream.
          iterator.return?.().catch(() => {});
        };
        if (stop.aborted) onStop();
        else stop.addEventListener('abort', onStop, { once: true });
      },
      async pull(controller) {
        let step: IteratorResult<SseEvent>;
        try {
          step = await iterator.next();
        } catch (err) {
          if (open) finish(controller, errorEvent(err));
          return;
        }
        if (!open) return;
        if (step.done) finish(controller, DONE);
        else controller.enqueue(Buffer.from(step.value.event === undefined ? `data: ${step.value.data}\n\n` : `event: ${step.value.event}\ndata: ${step.value.data}\n\n`));
      },
      async cancel() {
        if (!open) return;
        open = false;
        if (onStop !== undefined) stop.removeEventListener('abort', onStop);
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function errorEvent(err: unknown): Uint8Array {
  return Buffer.from(`data: ${JSON.stringify(toGatewayError(err).toEnvelope())}\n\n`);
}
