import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBodyPolicy, BodyBudget, type BodyPolicy } from './body-policy.ts';
import { GatewayError } from './errors.ts';
import { readBody } from './read-body.ts';

function fakeIncoming(headers: Record<string, string> = {}): PassThrough & IncomingMessage {
  const stream = new PassThrough() as PassThrough & IncomingMessage;
  (stream as { headers: Record<string, string> }).headers = headers;
  return stream;
}

const listeners = (s: PassThrough) => ['data', 'end', 'error', 'aborted'].map((e) => s.listenerCount(e));

describe('readBody (stream)', () => {
  it('rejects a declared Content-Length over the limit without reading', async () => {
    const incoming = fakeIncoming({ 'content-length': '101' });
    incoming.write('x');
    const err = await readBody(incoming, 100).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('request_too_large');
    expect((err as GatewayError).status).toBe(413);
    expect((err as GatewayError).message).toBe('The request body is larger than the 100 bytes this gateway accepts.');
    expect(incoming.readableFlowing).toBeNull();
    expect(listeners(incoming)).toEqual([0, 0, 0, 0]);
    expect(incoming.readableLength).toBe(1);
  });

  it('rejects a body without Content-Length once it passes the limit, and stops listening', async () => {
    const incoming = fakeIncoming();
    const pending = readBody(incoming, 10);
    incoming.write(Buffer.alloc(6));
    incoming.write(Buffer.alloc(6));
    await expect(pending).rejects.toMatchObject({ code: 'request_too_large' });
    expect(listeners(incoming)).toEqual([0, 0, 0, 0]);
  });

  it('rejects a body that is longer than its (understated) Content-Length says', async () => {
    const incoming = fakeIncoming({ 'content-length': '5' });
    const pending = readBody(incoming, 8);
    incoming.end(Buffer.alloc(9));
    await expect(pending).rejects.toMatchObject({ code: 'request_too_large' });
  });

  it('resolves the exact bytes of a body under the limit, across chunks', async () => {
    const incoming = fakeIncoming({ 'content-length': '10' });
    const pending = readBody(incoming, 10);
    incoming.write(Buffer.from([0, 1, 2, 0xff]));
    incoming.write(Buffer.from('héllo', 'utf8').subarray(0, 6));
    incoming.end();
    const body = await pending;
    expect(body).toEqual(Buffer.concat([Buffer.from([0, 1, 2, 0xff]), Buffer.from('héllo', 'utf8').subarray(0, 6)]));
    expect(body.length).toBe(10);
    expect(listeners(incoming)).toEqual([0, 0, 0, 0]);
  });

  it('resolves an empty body', async () => {
    const incoming = fakeIncoming();
    const pending = readBody(incoming, 10);
    incoming.end();
    expect((await pending).length).toBe(0);
  });

  it('ignores a Content-Length that is not a number and still enforces the limit while reading', async () => {
    const incoming = fakeIncoming({ 'content-length': 'lots' });
    const pending = readBody(incoming, 3);
    incoming.end('abcd');
    await expect(pending).rejects.toMatchObject({ code: 'request_too_large' });
  });

  it('turns a stream error into invalid_request', async () => {
    const incoming = fakeIncoming();
    const pending = readBody(incoming, 100);
    incoming.destroy(new Error('socket reset'));
    const err = await pending.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_request', message: 'The request body could not be read.' });
    expect((err as Error).cause).toMatchObject({ message: 'socket reset' });
  });

  it('turns an abort into invalid_request', async () => {
    const incoming = fakeIncoming();
    const pending = readBody(incoming, 100);
    incoming.emit('aborted');
    await expect(pending).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('readBody (real HTTP server)', () => {
  const LIMIT = 64;
  let server: Server;
  let port: number;
  const outcomes: { result?: string; code?: string; flowing?: boolean | null }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      readBody(req, LIMIT).then(
        (body) => {
          outcomes.push({ result: body.toString('utf8') });
          res.end('ok');
        },
        (err: GatewayError) => {
          outcomes.push({ code: err.code, flowing: req.readableFlowing });
          res.writeHead(err.status, { connection: 'close' }).end(err.code);
        },
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function send(headers: Record<string, string | number>, parts: string[], endAfter = true): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          resolve({ status: res.statusCode!, text });
          req.destroy();
        });
      });
      req.on('error', reject);
      for (const part of parts) req.write(part);
      if (endAfter) req.end();
      else req.flushHeaders();
    });
  }

  it('answers 413 from Content-Length alone, before the body is sent', async () => {
    outcomes.length = 0;
    // Only headers go out: the body is never written, so the server cannot have read it.
    const res = await send({ 'content-length': 1_000_000 }, [], false);
    expect(res).toEqual({ status: 413, text: 'request_too_large' });
    expect(outcomes).toEqual([{ code: 'request_too_large', flowing: null }]);
  }, 3000);

  it('answers 413 for a chunked body once it passes the limit', async () => {
    outcomes.length = 0;
    const res = await send({ 'transfer-encoding': 'chunked' }, ['a'.repeat(40), 'b'.repeat(40)]);
    expect(res.status).toBe(413);
    expect(outcomes[0]?.code).toBe('request_too_large');
  });

  it('reads a chunked body under the limit exactly', async () => {
    outcomes.length = 0;
    const res = await send({ 'transfer-encoding': 'chunked' }, ['{"a":', '"é"}']);
    expect(res).toEqual({ status: 200, text: 'ok' });
    expect(outcomes).toEqual([{ result: '{"a":"é"}' }]);
  });

  it('reads a body of exactly the limit', async () => {
    outcomes.length = 0;
    const body = 'z'.repeat(LIMIT);
    const res = await send({ 'content-length': LIMIT }, [body]);
    expect(res.status).toBe(200);
    expect(outcomes).toEqual([{ result: body }]);
  });
});

describe('readBody under a body policy (the gateway server sets one per connection)', () => {
  function withPolicy(policy: BodyPolicy, headers: Record<string, string> = {}) {
    const incoming = fakeIncoming(headers);
    const socket = {} as Socket;
    (incoming as { socket: Socket }).socket = socket;
    applyBodyPolicy(socket, policy);
    return incoming;
  }

  it('answers 408 request_timeout when the body does not arrive in time, and stops listening', async () => {
    const incoming = withPolicy({ timeoutMs: 20, budget: new BodyBudget(1024) }, { 'content-length': '10' });
    const pending = readBody(incoming, 100);
    incoming.write(Buffer.alloc(3));
    await expect(pending).rejects.toMatchObject({ code: 'request_timeout', status: 408 });
    expect(listeners(incoming)).toEqual([0, 0, 0, 0]);
  });

  it('answers 503 gateway_overloaded past the shared budget, and gives back what it held', async () => {
    const budget = new BodyBudget(100);
    const first = withPolicy({ timeoutMs: 10_000, budget });
    const second = withPolicy({ timeoutMs: 10_000, budget });
    const firstBody = readBody(first, 1000);
    const secondBody = readBody(second, 1000);
    first.write(Buffer.alloc(80));
    second.write(Buffer.alloc(30));
    await expect(secondBody).rejects.toMatchObject({ code: 'gateway_overloaded', status: 503, retryAfter: '1' });
    expect(budget.used).toBe(80);
    first.end(Buffer.alloc(10));
    expect((await firstBody).length).toBe(90);
    expect(budget.used).toBe(0);
  });
});
