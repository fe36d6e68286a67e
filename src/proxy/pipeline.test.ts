import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { newRequestCtx, type JsonResult, type RequestCtx, type Result, type Stage } from './context.ts';
import { GatewayError } from './errors.ts';
import { callsNextAgain, compose } from './pipeline.ts';

const ctx = (): RequestCtx => newRequestCtx('req-1', 'chat', {} as IncomingMessage, new AbortController().signal);
const answer = (body: unknown): JsonResult => ({ kind: 'json', status: 200, body });

describe('compose', () => {
  it('runs stages in order and returns the answer of the one that answers', async () => {
    const seen: string[] = [];
    const pass = (name: string): Stage => (_ctx, next) => {
      seen.push(name);
      return next();
    };
    const run = compose([pass('a'), pass('b'), async () => (seen.push('c'), answer('done'))]);
    expect(await run(ctx())).toEqual(answer('done'));
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('passes the same ctx to every stage', async () => {
    const c = ctx();
    const got: RequestCtx[] = [];
    const run = compose([
      (x, next) => (got.push(x), (x.alias = 'chat'), next()),
      async (x) => (got.push(x), answer(x.alias)),
    ]);
    expect(await run(c)).toEqual(answer('chat'));
    expect(got).toEqual([c, c]);
    expect(got[0]).toBe(c);
  });

  it('stops at a stage that answers early', async () => {
    let laterRan = false;
    const run = compose([
      async () => answer('early'),
      async () => {
        laterRan = true;
        return answer('late');
      },
    ]);
    expect(await run(ctx())).toEqual(answer('early'));
    expect(laterRan).toBe(false);
  });

  it('lets a wrapping stage act after the later stages, on the way back', async () => {
    const seen: string[] = [];
    const run = compose([
      async (_c, next) => {
        seen.push('outer before');
        const result = await next();
        seen.push('outer after');
        return { ...(result as JsonResult), status: 201 };
      },
      async () => (seen.push('inner'), answer('x')),
    ]);
    const result: Result = await run(ctx());
    expect(result).toEqual({ kind: 'json', status: 201, body: 'x' });
    expect(seen).toEqual(['outer before', 'inner', 'outer after']);
  });

  it('lets a wrapping stage catch a later failure', async () => {
    const run = compose([
      async (_c, next) => next().catch((err: GatewayError) => answer(`caught ${err.code}`)),
      async () => {
        throw new GatewayError('model_not_found', 'nope');
      },
    ]);
    expect(await run(ctx())).toEqual(answer('caught model_not_found'));
  });

  it('rejects a second call to next() with an internal error, and runs later stages once', async () => {
    let runs = 0;
    let second: unknown;
    const run = compose([
      async (_c, next) => {
        const first = await next();
        second = await next().catch((err: unknown) => err);
        return first;
      },
      async () => (runs++, answer('once')),
    ]);
    expect(await run(ctx())).toEqual(answer('once'));
    expect(runs).toBe(1);
    expect(second).toBeInstanceOf(GatewayError);
    expect((second as GatewayError).code).toBe('internal_error');
    expect((second as GatewayError).message).toBe('A stage called next() twice.');
  });

  it('lets a stage marked callsNextAgain ask the rest of the pipeline again', async () => {
    let runs = 0;
    const run = compose([
      callsNextAgain(async (_c, next) => {
        await next();
        return next();
      }),
      async () => answer(`run ${++runs}`),
    ]);
    expect(await run(ctx())).toEqual(answer('run 2'));
  });

  it('rejects with an internal error when every stage passes on', async () => {
    const run = compose([(_c, next) => next(), (_c, next) => next()]);
    const err = await run(ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('internal_error');
    expect((err as GatewayError).status).toBe(500);
    expect((err as GatewayError).message).toBe('The pipeline ended without an answer.');
  });

  it('rejects for an empty pipeline', async () => {
    await expect(compose([])(ctx())).rejects.toMatchObject({ code: 'internal_error' });
  });

  it('can be run again for a new request (next-guards are per run)', async () => {
    const run = compose([(_c, next) => next(), async (c) => answer(c.id)]);
    expect(await run(ctx())).toEqual(answer('req-1'));
    expect(await run(ctx())).toEqual(answer('req-1'));
  });
});
