// What the cache has done since start, for metrics to read (tollgate_cache_*).

export class CacheStats {
  hits = 0;
  misses = 0;
  bypasses = 0;
  /** Upstream cost the hits did not incur, priced at the model that produced each answer. */
  savedUsd = 0;
  /** Answers stored, and answers not stored because they outgrew the entry cap. */
  stores = 0;
  tooLarge = 0;
  /** Requests that waited for an identical in-flight miss instead of calling upstream. */
  coalesced = 0;
  /** Lookups or stores that failed (store unreachable): served as misses. */
  errors = 0;
  /** Idempotency-Key requests replayed from their record. */
  idempotentReplays = 0;
}
