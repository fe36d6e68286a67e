import { answerResult, captureAnswer } from '../../cache/answer-io.ts';
import { bodyHashOf } from '../../cache/canonical-key.ts';
import type { ResponseCache } from '../../cache/response-cache.ts';
import { GatewayError } from '../errors.ts';
import type { Result, Stage } from '../context.ts';

// Visible ASCII, as Stripe-style keys are; long enough for a UUID with a prefix.
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key`: answered once per tenant and key within the window, whatever the
 * temperature. A retry with the same body gets the original answer (as a stream if it
 * asks for one); a duplicate of a request still in flight waits for it (409 past the
 * wait); the same key with another body is 422. It runs before the run guards and the
 * budget reservation: a replay is the original request answered again, not a new one, so
 * it is neither billed nor counted twice. Errors are never recorded: the key is freed.
 */
export function idempotency(cache: ResponseCache): Stage {
  const records = cache.idempotency;
  return async function idempotency(ctx, next) {
    const raw = ctx.incoming.headers['idempotency-key'];
    if (records === undefined || raw === undefined) return next();
    if (Array.isArray(raw) || !KEY_SHAPE.test(raw)) {
      throw new GatewayError('invalid_request', 'Idempotency-Key must be 1 to 255 visible ASCII characters, sent once.', { param: 'Idempotency-Key' });
    }
    const tenant = ctx.tenant!.name;
    const hash = bodyHashOf({ scope: tenant, endpoint: ctx.endpoint, alias: ctx.body?.model as string, body: ctx.body! });
    const claim = await records.claim(tenant, raw, hash, ctx.signal);
    switch (claim.kind) {
      case 'conflict':
        throw new GatewayError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body; use a new key for a new request.', {
          param: 'Idempotency-Key',
        });
      case 'in-progress':
        throw new GatewayError('idempotency_in_progress', 'A request with this Idempotency-Key is still in progress; retry shortly.', {
          param: 'Idempotency-Key',
          retryAfter: '1',
        });
      case 'replay':
        cache.stats.idempotentReplays++;
        return answerResult(ctx, claim.answer, { 'x-tollgate-idempotent-replay': 'true' });
      case 'claimed': {
        let result: Result;
        try {
          result = await next();
        } catch (err) {
          await claim.release().catch(() => {});
          throw err;
        }
        // Only chat answers can be replayed on every surface (see responseCache).
        if (ctx.servedNative) {
          await claim.release().catch(() => {});
          return result;
        }
        return captureAnswer(ctx, result, cache.maxEntryBytes, cache.now, (answer) => {
          // An answer too large or incomplete to keep frees the key as an error does.
          const settle = answer === undefined ? claim.release() : claim.complete(answer);
          settle.catch(() => claim.release().catch(() => {}));
        });
      }
    }
  };
}
