import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, sseData, startHarness, type Harness } from './harness.ts';

// Streams fail loudly: after the first event a failure is an SSE error event and the stream
// ends without [DONE]; before it, the client gets a plain JSON error. Client aborts cancel
// the upstream request at once.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const streamBody = { model: 'chat', stream: true, messages: [{ role: 'user', content: 'tell me a story' }] };

function lastErrorOf(events: string[]): { code: string; message: string } {
  const last = JSON.parse(events.at(-1)!) as { error: { code: string; message: string } };
  return last.error;
}

describe('after the commit point', () => {
  it('a connection cut mid-stream ends with an error event and no [DONE]', async () => {
    h.fake.enqueue({ chunks: 6, cutAfterChunks: 3 });
    const res = await h.post('/v1/chat/completions', streamBody);
    expect(res.status).toBe(200);
    const events = await sseData(res);
    expect(events).not.toContain('[DONE]');
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(lastErrorOf(events).code).toBe('upstream_error');
    const line = await h.logFor(res.headers.get('x-request-id')!);
    // Logged with the error's status: the 200 went out, but the answer failed.
    expect(line).toMatchObject({ status: 502, code: 'upstream_error', usageSource: 'estimated' });
  });

  it('a stream that ends without [DONE] is reported as incomplete', async () => {
    h.fake.enqueue({ chunks: 3, endWithoutDone: true });
    const events = await sseData(await h.post('/v1/chat/completions', streamBody));
    expect(events).not.toContain('[DONE]');
    expect(lastErrorOf(events).message).toMatch(/without \[DONE\]/);
  });

  it('an error event from the provider is relayed as an error event', async () => {
    h.fake.enqueue({ chunks: 5, errorEventAfterChunks: 2 });
    const events = await sseData(await h.post('/v1/chat/completions', streamBody));
    expect(events).not.toContain('[DONE]');
    expect(lastErrorOf(events).code).toBe('upstream_error');
  });

  it('a silent provider mid-stream times out with an error event', async () => {
    h.fake.enqueue({ chunks: 4, chunkDelayMs: 800 });
    const events = await sseData(await h.post('/v1/chat/completions', { ...streamBody, model: 'quick' }));
    expect(events).not.toContain('[DONE]');
    expect(lastErrorOf(events).code).toBe('upstream_timeout');
  });

  it('the openai SDK raises instead of returning a truncated answer', async () => {
    h.fake.enqueue({ chunks: 6, cutAfterChunks: 2 });
    const stream = await h.client().chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const consume = async () => {
      for await (const _chunk of stream) {
        // keep reading
      }
    };
    await expect(consume()).rejects.toThrow();
  });
});

describe('before the commit point', () => {
  it('an upstream error status is a plain JSON error', async () => {
    h.fake.enqueue({ status: 503 });
    const res = await h.post('/v1/chat/completions', streamBody);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect((await errorOf(res)).code).toBe('upstream_unavailable');
  });

  it('a cut before the first event is a 502', async () => {
    h.fake.enqueue({ cutAfterChunks: 0 });
    const res = await h.post('/v1/chat/completions', streamBody);
    expect(res.status).toBe(502);
    expect((await errorOf(res)).code).toBe('upstream_error');
  });

  it('an error event as the very first event is a JSON error', async () => {
    h.fake.enqueue({ errorEventAfterChunks: 0 });
    const res = await h.post('/v1/chat/completions', streamBody);
    expect(res.status).toBe(502);
    expect((await errorOf(res)).code).toBe('upstream_error');
  });

  it('a JSON answer to a streaming request is a 502, with the provider error when there is one', async () => {
    h.fake.enqueue({ rawBody: '{"id":"x","object":"chat.completion"}', contentType: 'application/json' });
    const res = await h.post('/v1/chat/completions', streamBody);
    expect(res.status).toBe(502);
    expect((await errorOf(res)).message).toMatch(/not an event stream/);
  });

  it('no first event in time is a 504', async () => {
    h.fake.enqueue({ latencyMs: 1000 });
    const res = await h.post('/v1/chat/completions', { ...streamBody, model: 'quick' });
    expect(res.status).toBe(504);
    expect((await errorOf(res)).code).toBe('upstream_timeout');
  });
});

describe('client aborts cancel the upstream request', () => {
  it('non-streaming', async () => {
    h.fake.enqueue({ latencyMs: 5000 });
    const controller = new AbortController();
    const request = fetch(`${h.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer tg-team-a-key' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'y' }] }),
      signal: controller.signal,
    }).catch(() => undefined);
    await waitFor(() => h.fake.requests.some((r) => r.body.messages[0].content === 'y'));
    controller.abort();
    await request;
    // Matched by content: an abort from an earlier test may still be arriving.
    await waitFor(() => h.fake.requests.some((r) => r.body.messages[0].content === 'y' && r.aborted), 1000);
    await waitFor(() => h.logs.some((l) => l.status === 499 && l.stream === false), 1000);
  });

  it('streaming, mid-stream, with the openai SDK', async () => {
    h.fake.enqueue({ chunks: 50, chunkDelayMs: 50 });
    const controller = new AbortController();
    const { data: stream, response } = await h.client()
      .chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'z' }] }, { signal: controller.signal })
      .withResponse();
    let seen = 0;
    try {
      for await (const _chunk of stream) {
        if (++seen === 3) controller.abort();
      }
    } catch {
      // The SDK may end quietly or throw on abort; either way the upstream must be cancelled.
    }
    expect(seen).toBe(3);
    await waitFor(() => h.fake.requests.some((r) => r.body.messages[0].content === 'z' && r.aborted), 1000);
    const line = await h.logFor(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ status: 499, stream: true, alias: 'chat' });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
