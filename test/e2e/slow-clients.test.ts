import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, TEAM_KEY, type Harness } from './harness.ts';
import { longEventStream, openRaw, postHead, writeZeros } from './raw-client.ts';

// Clients that are slow or stall on purpose, driven over bare sockets: every one is answered
// or cut by a deadline, and none can hold the gateway's memory or sockets for long.

let h: Harness;
let port: number;
beforeAll(async () => {
  // maxBodyBytes is 64kb in the harness: three full bodies fit the 200kb budget, four do not.
  // The send timeout is far below the providers' idle timeout (1.5 s), so a stalled reader is
  // cut for what it is before the stalled upstream call could time out.
  h = await startHarness({ server: 'timeouts: { headers: 300ms, body: 500ms, send: 100ms }, maxBufferedBodyBytes: 200kb' });
  port = h.gateway.port;
});
afterAll(() => h.close());

const auth = { Authorization: `Bearer ${TEAM_KEY}` };
const chat = (extra: Record<string, unknown> = {}) => JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...extra });

async function healthy(): Promise<void> {
  const res = await fetch(`${h.gateway.url}/healthz`);
  expect(res.status).toBe(200);
}

describe('deadlines for slow clients', () => {
  it('a request whose headers stall gets 408 and is closed', async () => {
    const c = await openRaw(port);
    c.socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Ty');
    expect(await c.closed).toBeDefined();
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
    await healthy();
  });

  it('a connection that never sends a request is closed', async () => {
    const c = await openRaw(port);
    await c.closed;
    expect(c.socket.destroyed).toBe(true);
  });

  it('a body that stalls gets 408 request_timeout and the connection is closed', async () => {
    const c = await openRaw(port);
    c.socket.write(postHead('/v1/chat/completions', 1000, { ...auth, 'X-Request-Id': 'stalled-body-1' }) + '{"model":');
    const res = await c.response();
    expect(res.status).toBe(408);
    expect(JSON.parse(res.body).error.code).toBe('request_timeout');
    expect(res.headers.connection).toBe('close');
    await c.closed;
    expect(await h.logFor('stalled-body-1')).toMatchObject({ status: 408, code: 'request_timeout' });
  });

  it('a client that stops reading a stream is cut, its upstream call cancelled, and the log says why', async () => {
    // 8 MB: far more than socket buffers hold, so the gateway's writes back up.
    h.fake.enqueue({ rawBody: longEventStream(2048, 4096) });
    const body = chat({ stream: true });
    const c = await openRaw(port, { read: false });
    c.socket.write(postHead('/v1/chat/completions', Buffer.byteLength(body), { ...auth, 'X-Request-Id': 'never-reads-1' }) + body);
    const line = await h.logFor('never-reads-1', 8_000);
    expect(line).toMatchObject({ status: 499, code: 'client_send_timeout', stream: true });
    expect((await h.fake.waitForAbort()).aborted).toBe(true);
    c.socket.resume();
    await c.closed;
    await healthy();
  });
});

describe('the budget for bodies in flight', () => {
  it('past the budget a body gets 503 gateway_overloaded; the budget frees when bodies end', async () => {
    const clients = await Promise.all([1, 2, 3, 4].map(() => openRaw(port)));
    // Each sends 60 KB of a 64 KB body and stalls.
    for (const [i, c] of clients.entries()) {
      c.socket.write(postHead('/v1/chat/completions', 64 * 1024, { ...auth, 'X-Request-Id': `budget-${i}` }));
      await writeZeros(c.socket, 60 * 1024, 4 * 1024);
    }
    const answers = await Promise.all(clients.map((c) => c.response()));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    for (const a of answers) {
      const code = JSON.parse(a.body).error.code;
      if (a.status === 503) {
        expect(code).toBe('gateway_overloaded');
        expect(a.headers['retry-after']).toBe('1');
      } else {
        expect(a.status).toBe(408);
        expect(code).toBe('request_timeout');
      }
    }
    for (const c of clients) c.socket.destroy();
    // Everything reserved was given back: a full-size body is accepted again.
    const res = await h.post('/v1/chat/completions', { model: 'mock-chat', messages: [{ role: 'user', content: 'y'.repeat(60 * 1024) }] });
    expect(res.status).toBe(200);
  });
});

describe('refused bodies', () => {
  it('ten clients uploading 20 MB each all read the 413, not a reset', async () => {
    for (let i = 0; i < 10; i++) {
      const c = await openRaw(port);
      c.socket.on('error', () => {});
      c.socket.write(postHead('/v1/chat/completions', 20 * 1024 * 1024, auth));
      const uploading = writeZeros(c.socket, 20 * 1024 * 1024);
      const res = await c.response();
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).error.code).toBe('request_too_large');
      await uploading;
      c.socket.destroy();
    }
    await healthy();
  });

  it('after a refused body is discarded, the connection serves the next request', async () => {
    const c = await openRaw(port);
    const big = 256 * 1024;
    c.socket.write(postHead('/v1/chat/completions', big, auth));
    await writeZeros(c.socket, big);
    const first = await c.response();
    expect(first.status).toBe(413);
    const before = c.received().length;
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: gateway\r\n\r\n');
    while (!/HTTP\/1\.1 200 /.test(c.received().slice(before))) await new Promise((resolve) => setTimeout(resolve, 10));
    c.socket.destroy();
  });
});

describe('Expect: 100-continue', () => {
  it('a bad key is refused with 401 before 100 Continue', async () => {
    const c = await openRaw(port);
    c.socket.write(postHead('/v1/chat/completions', 100, { Authorization: 'Bearer wrong', Expect: '100-continue' }));
    const res = await c.response();
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('invalid_api_key');
    expect(c.received()).not.toContain('100 Continue');
    await c.closed;
  });

  it('a declared body over the limit is refused with 413 before 100 Continue', async () => {
    const c = await openRaw(port);
    c.socket.write(postHead('/v1/chat/completions', 10 * 1024 * 1024, { ...auth, Expect: '100-continue' }));
    const res = await c.response();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe('request_too_large');
    expect(c.received()).not.toContain('100 Continue');
    await c.closed;
  });

  it('an acceptable request gets 100 Continue, then its answer', async () => {
    const body = JSON.stringify({ model: 'mock-chat', messages: [{ role: 'user', content: 'hi' }] });
    const c = await openRaw(port);
    c.socket.write(postHead('/v1/chat/completions', Buffer.byteLength(body), { ...auth, Expect: '100-continue' }));
    while (!c.received().includes('\r\n\r\n')) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(c.received()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    c.socket.write(body);
    const res = await c.response();
    expect(res.status).toBe(200);
    c.socket.destroy();
  });
});

describe('server errors after start-up', () => {
  it('are logged and the gateway keeps serving', async () => {
    const accept = () => Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
    h.gateway.server.emit('error', accept());
    h.gateway.server.emit('error', accept());
    const lines = h.logs.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('server error'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, err: { code: 'EMFILE' } });
    await healthy();
  });
});
