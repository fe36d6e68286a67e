import { afterEach, beforeEach, expect, it } from 'vitest';
import { startHarness, TEAM_KEY, type Harness } from './harness.ts';
import { longEventStream, openRaw, postHead } from './raw-client.ts';

// A stream the gateway ended is logged with what really ended it, not as a client that went
// away (499 with no code): the drain timeout, or a provider deadline.

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ drainTimeout: '300ms' });
});
afterEach(async () => {
  await h.gateway.shutdown();
  await h.fake.close();
});

async function streamFromRawClient(reqId: string, model = 'chat') {
  const body = JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const c = await openRaw(h.gateway.port, { read: false });
  c.socket.on('error', () => {});
  c.socket.write(postHead('/v1/chat/completions', Buffer.byteLength(body), { Authorization: `Bearer ${TEAM_KEY}`, 'X-Request-Id': reqId }) + body);
  while (h.fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
  return c;
}

it('a stream ended at the drain timeout is logged 503 shutting_down', async () => {
  h.fake.enqueue({ content: 'x'.repeat(40), chunks: 20, chunkDelayMs: 200 });
  const res = await h.post('/v1/chat/completions', { model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  const reader = res.body!.getReader();
  await reader.read();
  await h.gateway.shutdown();
  expect(await h.logFor(res.headers.get('x-request-id')!)).toMatchObject({ status: 503, code: 'shutting_down', stream: true });
});

it('a stream to a client that stopped reading, ended at the drain timeout, is logged 503 shutting_down', async () => {
  h.fake.enqueue({ rawBody: longEventStream(2048, 4096) });
  await streamFromRawClient('stalled-at-drain');
  await h.gateway.shutdown();
  expect(await h.logFor('stalled-at-drain')).toMatchObject({ status: 503, code: 'shutting_down', stream: true });
});

it('a stream whose provider timed out while the client read slowly is logged 504 upstream_timeout', async () => {
  // The `quick` provider's idle deadline (300 ms) passes while the client is not reading.
  h.fake.enqueue({ content: 'x'.repeat(64), chunks: 8, chunkDelayMs: 1_000 });
  const c = await streamFromRawClient('slow-reader', 'quick');
  await h.fake.waitForAbort();
  c.socket.resume();
  const line = await h.logFor('slow-reader');
  expect(line).toMatchObject({ status: 504, code: 'upstream_timeout', stream: true });
  c.socket.destroy();
});
