import type { Usage } from '../metering/usage.ts';
import type { RequestCtx, Result } from '../proxy/context.ts';
import { tapStream } from '../proxy/stream-tap.ts';
import { openAIUsage, type CachedAnswer } from './cached-answer.ts';
import { asAsync, replayChunks } from './replay.ts';
import { StreamRecorder } from './stream-recorder.ts';

// Between pipeline results and stored answers, shared by the cache and idempotency stages:
// serve a stored answer as the client asked (JSON, or replayed as a stream), and capture a
// fresh answer on its way back, once it is complete and passed every stage after this one.

const NO_USAGE: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, source: 'upstream' };

/** A stored answer as this request's result. It cost no upstream tokens. */
export function answerResult(ctx: RequestCtx, answer: CachedAnswer, headers: Record<string, string>): Result {
  ctx.usage = NO_USAGE;
  Object.assign(ctx.responseHeaders, headers);
  if (!ctx.stream) return { kind: 'json', status: 200, body: undefined, bytes: answer.body };
  const completion = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  return { kind: 'stream', events: asAsync(replayChunks(completion, ctx.clientWantsUsage)), usage: Promise.resolve(NO_USAGE) };
}

/**
 * Passes `result` on and calls `done` once: with the complete answer, or undefined when
 * there is none to keep (an error, a cut or abandoned stream, an answer over `maxBytes`).
 */
export function captureAnswer(
  ctx: RequestCtx,
  result: Result,
  maxBytes: number,
  now: () => number,
  done: (answer: CachedAnswer | undefined, tooLarge: boolean) => void,
): Result {
  const model = ctx.target?.model ?? ctx.alias ?? '';
  if (result.kind === 'json') {
    const bytes = result.bytes ?? (result.body === undefined ? undefined : Buffer.from(JSON.stringify(result.body)));
    if (result.status !== 200 || bytes === undefined) done(undefined, false);
    else if (bytes.byteLength > maxBytes) done(undefined, true);
    else done({ body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), storedAt: now(), model, usage: ctx.usage }, false);
    return result;
  }
  const recorder = new StreamRecorder(maxBytes);
  const events = tapStream(result.events, {
    map(event) {
      recorder.record(event);
      return event;
    },
    end(outcome) {
      // Only a stream that ended normally (after the provider's [DONE]) is complete.
      if (outcome.error !== undefined || outcome.cancelled || !recorder.ok) {
        done(undefined, !recorder.ok && outcome.error === undefined && !outcome.cancelled);
        return;
      }
      void result.usage.then(
        (usage) => {
          const completion = recorder.completion(openAIUsage(usage));
          if (completion === undefined) return done(undefined, false);
          const body = Buffer.from(JSON.stringify(completion), 'utf8');
          if (body.byteLength > maxBytes) return done(undefined, true);
          done({ body, storedAt: now(), model, usage }, false);
        },
        () => done(undefined, false),
      );
    },
  });
  return { ...result, events };
}
