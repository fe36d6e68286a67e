import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../telemetry/logger.ts';
import { signature, WebhookPoster } from './webhook-poster.ts';

// The poster against a local fake receiver: signed bodies, retries that stop, timeouts,
// a queue that stays bounded when the receiver is dead.

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function receiver(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      handle(req, res, received.length);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const lines: string[] = [];
const logger = createLogger('info', new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
const poster = (url: string, extra: Partial<ConstructorParameters<typeof WebhookPoster>[0]> = {}) =>
  new WebhookPoster({ url, timeoutMs: 1_000, retries: 2, maxQueued: 10, logger, backoffMs: 1, ...extra });

describe('approval webhook poster', () => {
  it('posts the JSON body, signed with the secret over timestamp and body', async () => {
    const hook = await receiver((_req, res) => res.end('ok'));
    const p = poster(hook.url, { secret: 's3cret' });
    p.post({ type: 'approval.requested', id: 'apr_1' });
    await p.idle();
    expect(hook.received).toHaveLength(1);
    const [{ headers, body }] = hook.received as [Received];
    expect(JSON.parse(body)).toEqual({ type: 'approval.requested', id: 'apr_1' });
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-tollgate-signature']).toBe(`sha256=${signature('s3cret', String(headers['x-tollgate-timestamp']), body)}`);
    expect(p.stats).toEqual({ delivered: 1, failed: 0, dropped: 0 });
  });

  it('sends no signature without a secret', async () => {
    const hook = await receiver((_req, res) => res.end());
    const p = poster(hook.url);
    p.post({ id: 1 });
    await p.idle();
    expect(hook.received[0]!.headers['x-tollgate-signature']).toBeUndefined();
  });

  it('retries a 5xx, then succeeds', async () => {
    const hook = await receiver((_req, res, n) => {
      res.statusCode = n < 3 ? 503 : 204;
      res.end();
    });
    const p = poster(hook.url);
    p.post({ id: 1 });
    await p.idle();
    expect(hook.received).toHaveLength(3);
    expect(p.stats.delivered).toBe(1);
  });

  it('gives up after the bounded retries, and at once on a final status', async () => {
    const failing = await receiver((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const p = poster(failing.url, { retries: 3 });
    p.post({ id: 1 });
    await p.idle();
    expect(failing.received).toHaveLength(4);
    const refused = await receiver((_req, res) => {
      res.statusCode = 400;
      res.end();
    });
    const q = poster(refused.url, { retries: 3 });
    q.post({ id: 2 });
    await q.idle();
    expect(refused.received).toHaveLength(1);
    expect([p.stats.failed, q.stats.failed]).toEqual([1, 1]);
    expect(lines.some((l) => l.includes('approval webhook post failed'))).toBe(true);
  });

  it('times out a receiver that never answers, and retries it a bounded number of times', async () => {
    // Counts requests as their headers arrive: on a loaded machine a body may come after the timeout.
    let attempts = 0;
    const silent = await receiver(() => {});
    servers.at(-1)!.on('request', () => attempts++);
    const p = poster(silent.url, { timeoutMs: 200, retries: 1 });
    p.post({ id: 1 });
    await p.idle();
    expect(attempts).toBe(2);
    expect(p.stats).toEqual({ delivered: 0, failed: 1, dropped: 0 });
  });

  it('keeps the queue bounded when the receiver is unreachable, dropping the oldest', async () => {
    const p = poster('http://127.0.0.1:9/hook', { retries: 0, maxQueued: 5, concurrency: 1 });
    for (let i = 0; i < 1000; i++) p.post({ id: i });
    await p.idle();
    expect(p.stats.dropped).toBe(994);
    expect(p.stats.failed).toBe(6);
  });

  it('stops sending once draining begins', async () => {
    const stop = new AbortController();
    const slow = await receiver(() => {});
    const p = poster(slow.url, { timeoutMs: 5_000, stopSignal: stop.signal, concurrency: 1 });
    p.post({ id: 1 });
    p.post({ id: 2 });
    setTimeout(() => stop.abort(), 20);
    await p.idle();
    expect(slow.received.length).toBeLessThanOrEqual(1);
    p.post({ id: 3 });
    await p.idle();
    expect(p.stats.delivered).toBe(0);
  });
});
