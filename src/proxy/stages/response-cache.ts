import { answerResult, captureAnswer } from '../../cache/answer-io.ts';
import { cacheDirectives } from '../../cache/cache-control.ts';
import type { CachedAnswer } from '../../cache/cached-answer.ts';
import { cacheKeyOf } from '../../cache/canonical-key.ts';
import type { ResponseCache } from '../../cache/response-cache.ts';
import type { RequestCtx, Result, Stage } from '../context.ts';

/** A follower of an identical in-flight miss waits this long for it, then calls upstream itself. */
const COALESCE_WAIT_MS = 120_000;

/**
 * Exact-match response cache. It runs after every guard (pre-policies, run guards, budget
 * reservation), so a hit never bypasses one and counts as a request that used no tokens;
 * it wraps shadow, post-policies and the upstream call, so what it stores is an answer
 * that completed and passed them, captured on the way back.
 */
export function responseCache(cache: ResponseCache): Stage {
  const { stats } = cache;
  return async function responseCache(ctx, next) {
    if (!cache.enabled) return next();
    const settings = cache.tenantSettings(ctx.tenant!.name);
    const directives = cacheDirectives(ctx.incoming.headers);
    if (!settings.enabled || directives.noStore || (settings.deterministicOnly && !isDeterministic(ctx))) {
      ctx.cache = { status: 'bypass' };
      stats.bypasses++;
      ctx.responseHeaders['x-tollgate-cache'] = 'bypass';
      return next();
    }
    // The scope is the tenant unless it opted into a shared one; the prefixes keep the two apart.
    const scope = settings.scope === undefined ? `tenant:${ctx.tenant!.name}` : `shared:${settings.scope}`;
    const key = cacheKeyOf({ scope, endpoint: ctx.endpoint, alias: ctx.alias!, body: ctx.body! });

    if (!directives.noCache) {
      const found = await cache.lookup(key);
      if (found !== undefined && (directives.maxAgeMs === undefined || cache.now() - found.storedAt <= directives.maxAgeMs)) return hit(ctx, found);
      const waited = cache.coalescer.waitFor(key, ctx.signal, COALESCE_WAIT_MS);
      const shared = waited === undefined ? undefined : await waited;
      if (shared !== undefined) {
        stats.coalesced++;
        return hit(ctx, shared);
      }
    }

    ctx.cache = { status: 'miss' };
    stats.misses++;
    ctx.responseHeaders['x-tollgate-cache'] = 'miss';
    const finish = cache.coalescer.lead(key);
    let result: Result;
    try {
      result = await next();
    } catch (err) {
      finish(undefined);
      throw err;
    }
    // Entries are chat answers, which every surface renders in its own form; an answer a
    // target gave natively in another protocol (the Responses API) cannot be replayed so.
    if (ctx.servedNative) {
      finish(undefined);
      return result;
    }
    return captureAnswer(ctx, result, cache.maxEntryBytes, cache.now, (answer, tooLarge) => {
      if (tooLarge) stats.tooLarge++;
      // The flight ends once the answer is in the store, so no request arriving meanwhile misses it.
      if (answer === undefined) finish(undefined);
      else void cache.save(key, answer, directives.ttlMs ?? cache.ttlMs).finally(() => finish(answer));
    });
  };

  function hit(ctx: RequestCtx, answer: CachedAnswer): Result {
    ctx.cache = { status: 'hit', savedUsd: cache.countHit(answer) };
    const age = Math.max(0, Math.floor((cache.now() - answer.storedAt) / 1000));
    return answerResult(ctx, answer, { 'x-tollgate-cache': 'hit', age: String(age) });
  }
}

/** Temperature 0 or a seed: the answers worth caching by default. Embeddings always are. */
function isDeterministic(ctx: RequestCtx): boolean {
  if (ctx.endpoint === 'embeddings') return true;
  const body = ctx.body!;
  return body.temperature === 0 || (typeof body.seed === 'number' && Number.isFinite(body.seed));
}
