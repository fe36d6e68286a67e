// One request, timed at the first body byte and at the end of the body. Timestamps are absolute
// performance.now() values so callers can measure from the *scheduled* start, not the send time.
import type { Pool } from 'undici';
import type { TargetEndpoint } from './load-spec.ts';

export type Timing =
  | { ok: true; firstByteAt: number; endAt: number }
  | { ok: false; endAt: number; errorKind: string };

function errorKindOf(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown };
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.name === 'string') return e.name;
  return 'error';
}

const SSE_DONE = 'data: [DONE]';

export async function timedRequest(pool: Pool, target: TargetEndpoint, expectSseDone: boolean): Promise<Timing> {
  let response;
  try {
    response = await pool.request({ path: target.path, method: 'POST', headers: target.headers, body: target.body });
  } catch (err) {
    return { ok: false, endAt: performance.now(), errorKind: errorKindOf(err) };
  }
  const { statusCode, body } = response;
  return new Promise<Timing>((resolve) => {
    let firstByteAt = -1;
    // Only the last few bytes matter for the [DONE] check; keeping a short tail avoids buffering streams.
    let tail = '';
    body.on('data', (chunk: Buffer) => {
      if (firstByteAt < 0) firstByteAt = performance.now();
      if (expectSseDone) tail = (tail + chunk.toString('latin1')).slice(-64);
    });
    body.on('end', () => {
      const endAt = performance.now();
      if (statusCode !== 200) resolve({ ok: false, endAt, errorKind: `status ${statusCode}` });
      else if (expectSseDone && !tail.trimEnd().endsWith(SSE_DONE)) resolve({ ok: false, endAt, errorKind: 'no [DONE]' });
      else resolve({ ok: true, firstByteAt: firstByteAt < 0 ? endAt : firstByteAt, endAt });
    });
    body.on('error', (err) => resolve({ ok: false, endAt: performance.now(), errorKind: errorKindOf(err) }));
  });
}
