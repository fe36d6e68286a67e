import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../test/support/redis-server.ts';
import { configSchema } from '../../config/schema.ts';
import { PriceBook } from '../../metering/pricing.ts';
import { runStoreFor } from '../../metering/runs/shared-run-store.ts';
import type { RunStore } from '../../metering/runs/run-types.ts';
import { connectState, type SharedState } from '../../state/shared-state.ts';
import { newRequestCtx, type JsonResult, type RequestCtx, type Result, type StreamResult } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { guardRun } from './guard-run.ts';

// The stage on its own, with a fake clock (expiry without waiting) and a Redis that dies.

const logger = pino({ level: 'silent' });
const MINUTE = 60_000;
const config = configSchema.parse({
  providers: {},
  models: {},
  tenants: { team: { keys: [`sha256:${'a'.repeat(64)}`], models: ['*'], runs: { maxSteps: 2, maxRepeatedToolCalls: 1, idleTimeout: '10m' } } },
});

const open: Array<SharedState | TestRedis> = [];
afterEach(async () => {
  for (const thing of open.splice(0)) await ('stop' in thing ? thing.stop() : thing.close());
});

function stage(store: RunStore, clock: { now: number }) {
  return guardRun({ tenants: config.tenants, store, prices: new PriceBook(), logger, now: () => clock.now });
}

function ctxFor(runId: string, content = 'hi'): RequestCtx {
  const incoming = { headers: {} } as unknown as IncomingMessage;
  const ctx = newRequestCtx('req', 'chat', incoming, new AbortController().signal);
  ctx.tenant = { name: 'team', models: undefined };
  ctx.runId = runId; // as the readRunId stage sets it
  ctx.body = { model: 'm', messages: [{ role: 'user', content }] };
  return ctx;
}

const answer = async (): Promise<Result> => ({ kind: 'json', status: 200, body: { choices: [{ message: { content: 'ok' } }] } }) satisfies JsonResult;
const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as GatewayError);

describe('guardRun stage', () => {
  it('an ended run is refused until it has been idle for idleTimeout, then starts over', async () => {
    const clock = { now: 1_000_000 };
    const guard = stage(runStoreFor(connectState({ kind: 'memory' }, logger), logger), clock);
    await guard(ctxFor('r', 'a'), answer);
    await guard(ctxFor('r', 'b'), answer);
    expect((await refusal(guard(ctxFor('r', 'c'), answer)))?.code).toBe('run_budget_exceeded');
    clock.now += 9 * MINUTE;
    expect((await refusal(guard(ctxFor('r', 'c'), answer)))?.code).toBe('run_budget_exceeded');
    clock.now += 10 * MINUTE + 1;
    const ctx = ctxFor('r', 'c');
    await guard(ctx, answer);
    expect(ctx.responseHeaders['x-tollgate-run-step']).toBe('1');
  });

  it('a stream is recorded before its end reaches the client', async () => {
    const clock = { now: 1_000_000 };
    const guard = stage(runStoreFor(connectState({ kind: 'memory' }, logger), logger), clock);
    const chunk = (fn: object) => ({ data: JSON.stringify({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: fn }] } }] }) });
    const stream = async (): Promise<Result> =>
      ({
        kind: 'stream',
        events: (async function* () {
          yield chunk({ name: 'f', arguments: '{"a":' });
          yield { data: 'not json, "tool_calls": [' };
          yield chunk({ arguments: '1}' });
        })(),
        usage: Promise.resolve({ promptTokens: 1, completionTokens: 1, totalTokens: 2, source: 'upstream' }),
      }) satisfies StreamResult;
    for (const content of ['one', 'two']) {
      const result = await guard(ctxFor('s', content), stream);
      if (result.kind !== 'stream') throw new Error('expected a stream');
      for await (const _ of result.events);
    }
    // maxRepeatedToolCalls 1: the second stream proposed f({"a":1}) again, so the run is over.
    const err = await refusal(guard(ctxFor('s', 'three'), answer));
    expect(err?.code).toBe('agent_loop_detected');
    expect(err?.message).toContain('"f"');
  });

  it('Redis down with onUnavailable deny: 503 state_unavailable; with allow: guarded from local state', async () => {
    const redis = await startRedis();
    open.push(redis);
    const deny = connectState({ kind: 'redis', url: redis.url, onUnavailable: 'deny', keyPrefix: 'g:' }, logger);
    const allow = connectState({ kind: 'redis', url: redis.url, onUnavailable: 'allow', keyPrefix: 'g:' }, logger);
    open.push(deny, allow);
    expect(await deny.ready(5_000)).toBe(true);
    expect(await allow.ready(5_000)).toBe(true);
    const clock = { now: 1_000_000 };
    const denied = stage(runStoreFor(deny, logger), clock);
    const allowed = stage(runStoreFor(allow, logger), clock);
    await denied(ctxFor('d', 'a'), answer);
    await redis.stop();

    const err = await refusal(denied(ctxFor('d', 'b'), answer));
    expect(err?.code).toBe('state_unavailable');
    expect(err?.status).toBe(503);

    await allowed(ctxFor('a', 'a'), answer);
    await allowed(ctxFor('a', 'b'), answer);
    expect((await refusal(allowed(ctxFor('a', 'c'), answer)))?.code).toBe('run_budget_exceeded');
    expect(allow.fallbacks).toBeGreaterThan(0);
  });
});
