import type { SseEvent } from '../providers/types.ts';
import { GatewayError, toGatewayError } from './errors.ts';

// Turns a stream of events into the bytes of an OpenAI event stream. Success ends with
// `data: [DONE]`; a failure after the commit point ends with an error event and no [DONE],
// so no client can mistake a broken answer for a finished one. Reading is driven by the
// socket (pull), so a slow client slows the upstream instead of filling memory.

const DONE = Buffer.from('data: [DONE]\n\n');

/** `stop` ends the stream early with a `shutting_down` error event (drain timeout ran out). */
export function sseBody(events: AsyncIterable<SseEvent>, stop: AbortSignal): ReadableStream<Uint8Array> {
  const iterator = events[Symbol.asyncIterator]();
  const { promise: stopped, reject: onStop } = Promise.withResolvers<never>();
  stopped.catch(() => {});
  const stopListener = () =>
    onStop(new GatewayError('shutting_down', 'The gateway is shutting down; the stream was ended before it finished.'));
  if (stop.aborted) stopListener();
  else stop.addEventListener('abort', stopListener, { once: true });
  const detach = () => stop.removeEventListener('abort', stopListener);

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const step = await Promise.race([iterator.next(), stopped]);
          if (step.done) {
            detach();
            controller.enqueue(DONE);
            controller.close();
          } else {
            controller.enqueue(Buffer.from(`data: ${step.value.data}\n\n`));
          }
        } catch (err) {
          detach();
          if (err instanceof GatewayError && err.code === 'shutting_down') void iterator.return?.();
          controller.enqueue(Buffer.from(`data: ${JSON.stringify(toGatewayError(err).toEnvelope())}\n\n`));
          controller.close();
        }
      },
      async cancel() {
        detach();
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
