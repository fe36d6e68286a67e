import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../telemetry/logger.ts';
import { newRequestCtx } from '../context.ts';
import { GatewayError } from '../errors.ts';
import { noteGatewayEnd, CLIENT_SEND_TIMEOUT_END } from '../gateway-end.ts';
import { compose } from '../pipeline.ts';
import type { Usage } from '../../metering/usage.ts';
import type { SseEvent } from '../../providers/types.ts';
import { catchErrors } from './catch-errors.ts';
import { logRequest } from './log-request.ts';

function capture() {
  const lines: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  return { lines, logger: createLogger('info', sink) };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('logRequest', () => {
  it.each([true, false])('logs an internal error at error level with its stack (request lines on: %s)', async (enabled) => {
    const { lines, logger } = capture();
    const run = compose([
      logRequest(logger, enabled),
      catchErrors(),
      async () => {
        throw new TypeError('cannot read properties of undefined');
      },
    ]);
    const result = await run(newRequestCtx('r-500', 'chat', {} as IncomingMessage, new AbortController().signal));
    expect(result).toMatchObject({ kind: 'json', status: 500 });
    await flush();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, reqId: 'r-500', status: 500, code: 'internal_error', err: { type: 'TypeError' } });
    expect(lines[0]!.err.stack).toMatch(/TypeError: cannot read properties of undefined\n\s+at /);
  });

  it('logs a stream the gateway cut with the noted reason, not 499', async () => {
    const { lines, logger } = capture();
    const incoming = {} as IncomingMessage;
    const events: AsyncIterable<SseEvent> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => ({ done: false, value: { data: '{}' } as SseEvent }),
        return: async () => ({ done: true, value: undefined }),
      }),
    };
    const usage = Promise.resolve<Usage>({ promptTokens: 1, completionTokens: 1, totalTokens: 2, source: 'estimated' });
    const run = compose([logRequest(logger, true), async () => ({ kind: 'stream' as const, events, usage })]);
    const result = await run(newRequestCtx('r-cut', 'chat', incoming, new AbortController().signal));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    const it = result.events[Symbol.asyncIterator]();
    await it.next();
    noteGatewayEnd(incoming, CLIENT_SEND_TIMEOUT_END);
    await it.return!();
    await flush();
    expect(lines[0]).toMatchObject({ level: 30, reqId: 'r-cut', status: 499, code: 'client_send_timeout' });
  });

  it('logs a stream that failed after its headers with the error status', async () => {
    const { lines, logger } = capture();
    const events: AsyncIterable<SseEvent> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          throw new GatewayError('upstream_timeout', 'too slow');
        },
      }),
    };
    const usage = Promise.resolve<Usage>({ promptTokens: 1, completionTokens: 0, totalTokens: 1, source: 'estimated' });
    const run = compose([logRequest(logger, true), async () => ({ kind: 'stream' as const, events, usage })]);
    const result = await run(newRequestCtx('r-504', 'chat', {} as IncomingMessage, new AbortController().signal));
    if (result.kind !== 'stream') throw new Error('expected a stream');
    await expect(result.events[Symbol.asyncIterator]().next()).rejects.toThrow('too slow');
    await flush();
    expect(lines[0]).toMatchObject({ status: 504, code: 'upstream_timeout' });
  });
});
