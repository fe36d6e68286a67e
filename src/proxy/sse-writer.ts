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

/** How a surface ends a stream: its last event on success (none for Anthropic), and its error event. */
export interface SseWire {
  readonly done: Uint8Array | undefined;
  error(error: GatewayError): Uint8Array;
}

const OPENAI_WIRE: SseWire = {
  done: Buffer.from('data: [DONE]\n\n'),
  error: (error) => Buffer.from(`data: ${JSON.stringify(error.toEnvelope())}\n\n`),
};

/** `stop` ends the stream early with a `shutting_down` error event (drain timeout ran out). */
export function sseBody(events: AsyncIterable<SseEvent>, stop: AbortSignal, wire: SseWire = OPENAI_WIRE): ReadableStream<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]();
  let open = true;
  let onStop: (() => void) | undefined;

  const finish = (controller: ReadableStreamDefaultController<Uint8Array>, last: Uint8Array | undefined) => {
    open = false;
    if (onStop !== undefined) stop.removeEventListener('abort', onStop);
    if (last !== undefined) controller.enqueue(last);
    controller.close();
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        onStop = () => {
          if (!open) return;
          finish(controller, wire.error(new GatewayError('shutting_down', 'The gateway is shutting down; the stream was ended before it finished.')));
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
          if (open) finish(controller, wire.error(toGatewayError(err)));
          return;
        }
        if (!open) return;
        if (step.done) finish(controller, wire.done);
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
