import { describe, expect, it } from 'vitest';
import { GatewayError } from '../proxy/errors.ts';
import { cacheDirectives } from './cache-control.ts';

describe('cache directives', () => {
  it.each([
    [{}, { noStore: false, noCache: false, maxAgeMs: undefined, ttlMs: undefined }],
    [{ 'cache-control': 'No-Store' }, { noStore: true }],
    [{ 'cache-control': 'no-cache, max-age=60' }, { noCache: true, maxAgeMs: 60_000 }],
    [{ 'cache-control': 'max-age=0' }, { noCache: true, maxAgeMs: 0 }],
    [{ 'cache-control': 'max-age="30"' }, { maxAgeMs: 30_000 }],
    [{ 'cache-control': 'max-age=60, max-age=10' }, { maxAgeMs: 10_000 }],
    [{ 'cache-control': 'max-age=abc, max-age=-5, max-age=' }, { maxAgeMs: undefined, noCache: false }],
    [{ 'cache-control': 'max-age=99999999999' }, { maxAgeMs: 30 * 24 * 3_600_000 }],
    [{ 'cache-control': ',,;=, private, no-transform' }, { noStore: false, noCache: false }],
    [{ 'x-tollgate-cache-ttl': '600' }, { ttlMs: 600_000 }],
    [{ 'x-tollgate-cache-ttl': '10m' }, { ttlMs: 600_000 }],
  ])('%j', (headers, expected) => {
    expect(cacheDirectives(headers)).toMatchObject(expected);
  });

  it.each(['0', '-1', 'soon', '1d', '999999999h', ''])('refuse x-tollgate-cache-ttl %j with a 400', (ttl) => {
    let error: unknown;
    try {
      cacheDirectives({ 'x-tollgate-cache-ttl': ttl });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
  });

  it('reads a huge header in bounded work', () => {
    expect(cacheDirectives({ 'cache-control': `${'x, '.repeat(50_000)}no-store` }).noStore).toBe(false);
  });
});
