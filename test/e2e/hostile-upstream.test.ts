import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, sseData, startHarness, UPSTREAM_KEY, type Harness } from './harness.ts';

// A provider is not trusted either: answers far larger than asked for, giant event-stream
// lines, bodies that never finish, error messages quoting our key. The `strict` provider
// (harness) allows 1 MB answers, one connection, and deadlines of 1 s (first byte, idle) and
// 3 s (total).

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const user = [{ role: 'user', content: 'hi' }];
const MB = 1024 * 1024;

function lastError(events: string[]): { code: string; message: string } {
  return (JSON.parse(events.at(-1)!) as { error: { code: string; message: string } }).error;
}

describe('non-streaming answers are bounded by maxResponseBytes', () => {
  it.each([
    ['declared by Content-Length', true],
    ['sent chunked', false],
  ])('a 200 MB chat answer %s is refused with 502 and the upstream request is cancelled', async (_name, declareLength) => {
    // Far more than socket buffers hold: the fake can only finish if the gateway reads it all.
    h.fake.enqueue({ hugeBody: { bytes: 200 * MB, declareLength } });
    const res = await h.post('/v1/chat/completions', { model: 'strict', messages: user });
    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error.code).toBe('upstream_response_too_large');
    expect(error.message).toContain('maxResponseBytes');
    expect((await h.fake.waitForAbort()).path).toBe('/v1/chat/completions');
  });

  it('a declared Content-Length over the limit is refused before any of the body arrives', async () => {
    // The body then trickles a byte at a time: only the declared length can tell in time.
    h.fake.enqueue({ endless: true, chunkDelayMs: 100, headers: { 'content-length': String(200 * MB) } });
    const res = await h.post('/v1/chat/completions', { model: 'strict', messages: user });
    expect(res.status).toBe(502);
    expect((await errorOf(res)).code).toBe('upstream_response_too_large');
    await h.fake.waitForAbort();
  });

  it('a 3 MB embeddings answer is refused the same way', async () => {
    h.fake.enqueue({ hugeBody: { bytes: 3 * MB, shape: 'embeddings', declareLength: false } });
    const res = await h.post('/v1/embeddings', { model: 'strict-embed', input: 'x' });
    expect(res.status).toBe(502);
    expect((await errorOf(res)).code).toBe('upstream_response_too_large');
  });

  it('a large allowed answer is relayed byte for byte, metered from its usage', async () => {
    h.fake.enqueue({ hugeBody: { bytes: 900 * 1024, shape: 'embeddings' } });
    const res = await h.post('/v1/embeddings', { model: 'strict-embed', input: 'x' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeGreaterThan(800 * 1024);
    // The fake writes usage as Python servers do: `"usage": {...}`, with spaces.
    expect(JSON.parse(text).usage).toEqual({ prompt_tokens: 11, completion_tokens: 22, total_tokens: 33 });
    const line = await h.logFor(res.headers.get('x-request-id')!);
    expect(line).toMatchObject({ status: 200, promptTokens: 11, completionTokens: 22, usageSource: 'upstream' });
  });

  it('a large answer that is not a JSON object is a 502', async () => {
    h.fake.enqueue({ rawBody: `[${'1,'.repeat(200_000)}1]` });
    const res = await h.post('/v1/chat/completions', { model: 'strict', messages: user });
    expect(res.status).toBe(502);
    expect((await errorOf(res)).message).toMatch(/not a JSON object/);
  });

  it('a large 2xx answer that carries an error is a 502 with the provider message', async () => {
    h.fake.enqueue({ rawBody: `{"error": {"message": "backend exploded"}, "padding": "${'p'.repeat(400_000)}"}` });
    const res = await h.post('/v1/chat/completions', { model: 'strict', messages: user });
    expect(res.status).toBe(502);
    const error = await errorOf(res);
    expect(error.code).toBe('upstream_error');
    expect(error.message).toContain('backend exploded');
  });
});

describe('streams are bounded per event', () => {
  it('a 3 MB data line after the commit point ends the stream with an error event, and the upstream is cancelled', async () => {
    h.fake.enqueue({ giantSseLine: { bytes: 3 * MB } });
    const res = await h.post('/v1/chat/completions', { model: 'strict', stream: true, messages: user });
    expect(res.status).toBe(200);
    const events = await sseData(res);
    expect(events).not.toContain('[DONE]');
    expect(lastError(events).code).toBe('upstream_response_too_large');
    await h.fake.waitForAbort();
  });

  it('a large event within the limit is relayed whole', async () => {
    h.fake.enqueue({ giantSseLine: { bytes: 600 * 1024, finish: true } });
    const events = await sseData(await h.post('/v1/chat/completions', { model: 'strict', stream: true, messages: user }));
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.some((e) => e.length > 590 * 1024)).toBe(true);
  });

  it('a usage chunk written with spaces is found and metered', async () => {
    const chunk = (extra: string) => `data: {"id": "c1", "object": "chat.completion.chunk", "choices": [${extra}]`;
    h.fake.enqueue({
      rawBody:
        `${chunk('{"index": 0, "delta": {"content": "hi"}, "finish_reason": "stop"}')}, "usage": null}\n\n` +
        `${chunk('')}, "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}\n\n` +
        'data: [DONE]\n\n',
    });
    const res = await h.post('/v1/chat/completions', { model: 'chat', stream: true, messages: user });
    const events = await sseData(res);
    expect(events.at(-1)).toBe('[DONE]');
    // The client did not ask for usage: the usage-only chunk is dropped.
    expect(events.some((e) => e.includes('"prompt_tokens"'))).toBe(false);
    const line = await h.logFor(res.headers.get('x-request-id')!);
    expect(line).toMatchObject({ promptTokens: 7, completionTokens: 3, usageSource: 'upstream' });
  });

  it('a chunk that says "error": null is content, not an error', async () => {
    h.fake.enqueue({
      rawBody: 'data: {"error": null, "choices": [{"index": 0, "delta": {"content": "fine"}, "finish_reason": "stop"}]}\n\ndata: [DONE]\n\n',
    });
    const events = await sseData(await h.post('/v1/chat/completions', { model: 'chat', stream: true, messages: user }));
    expect(events).toHaveLength(2);
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('an event stream must be the content type, not merely mentioned in it', async () => {
    h.fake.enqueue({ contentType: 'application/json; note=text/event-stream' });
    const res = await h.post('/v1/chat/completions', { model: 'chat', stream: true, messages: user });
    expect(res.status).toBe(502);
    expect((await errorOf(res)).message).toMatch(/not an event stream/);
  });
});

describe('the provider connection is reused after [DONE]', () => {
  it('the gateway reads to the end of the body after [DONE], so the next call uses the same connection', async () => {
    h.fake.enqueue({ chunks: 3, afterDoneDelayMs: 150 });
    const events = await sseData(await h.post('/v1/chat/completions', { model: 'strict', stream: true, messages: user }));
    expect(events.at(-1)).toBe('[DONE]');
    const res = await h.post('/v1/chat/completions', { model: 'strict', messages: user });
    expect(res.status).toBe(200);
    const [first, second] = h.fake.requests;
    expect(second!.connection).toBe(first!.connection);
  });
});

describe('deadlines', () => {
  it('a stream that trickles forever is cut at timeouts.total with an error event', async () => {
    h.fake.enqueue({ endless: true, chunkDelayMs: 100 });
    const res = await h.post('/v1/chat/completions', { model: 'strict', stream: true, messages: user });
    expect(res.status).toBe(200);
    const events = await sseData(res);
    expect(events).not.toContain('[DONE]');
    expect(events.length).toBeGreaterThan(5);
    expect(lastError(events)).toMatchObject({ code: 'upstream_timeout', message: expect.stringMatching(/did not finish within 3000 ms/) });
    await h.fake.waitForAbort();
  });

  it('a JSON answer that trickles forever is cut at timeouts.total with 504', async () => {
    h.fake.enqueue({ endless: true, chunkDelayMs: 100 });
    const res = await h.post('/v1/chat/completions', { model: 'strict', messages: user });
    expect(res.status).toBe(504);
    expect(await errorOf(res)).toMatchObject({ code: 'upstream_timeout', message: expect.stringMatching(/did not finish/) });
  });

  it('a non-streaming answer whose headers come after timeouts.firstByte is a 504', async () => {
    h.fake.enqueue({ latencyMs: 2000 });
    const res = await h.post('/v1/chat/completions', { model: 'strict', messages: user });
    expect(res.status).toBe(504);
    expect(await errorOf(res)).toMatchObject({ code: 'upstream_timeout', message: expect.stringMatching(/sent nothing within 1000 ms/) });
  });

  it('a stream whose chunks each come within the idle limit finishes, however long it takes in all', async () => {
    // 6 events 500 ms apart: 2.5 s in all against a 1.5 s idle limit.
    h.fake.enqueue({ chunks: 4, chunkDelayMs: 500 });
    const events = await sseData(await h.post('/v1/chat/completions', { model: 'chat', stream: true, messages: user }));
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('a JSON body whose pieces each come within the idle limit is relayed whole', async () => {
    h.fake.enqueue({ bodyPieces: 6, chunkDelayMs: 500 });
    const res = await h.post('/v1/chat/completions', { model: 'chat', messages: user });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { object: string }).object).toBe('chat.completion');
  });

  it('a client that pauses reading longer than the idle limit still gets the whole answer', async () => {
    // Far more than socket buffers hold, so the gateway is held back by the client.
    h.fake.enqueue({ bigStream: { events: 160, eventBytes: 64 * 1024 } });
    const res = await h.post('/v1/chat/completions', { model: 'chat', stream: true, messages: user });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value, { stream: true });
    await new Promise((resolve) => setTimeout(resolve, 3500));
    for (let step = await reader.read(); !step.done; step = await reader.read()) text += decoder.decode(step.value, { stream: true });
    expect(text).not.toContain('"error"');
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('provider keys never reach clients or logs', () => {
  const runs = (key: string) => Array.from({ length: key.length - 11 }, (_, i) => key.slice(i, i + 12).toLowerCase());

  it.each([
    ['exactly', { as: 'exact' } as const],
    ['lower-cased', { as: 'lower' } as const],
    ['upper-cased', { as: 'upper' } as const],
    ['truncated to 12 characters', { as: 'prefix', prefix: 12 } as const],
  ])('an upstream error quoting the key %s is masked', async (_name, echoKey) => {
    for (const status of [400, 500]) {
      h.fake.enqueue({ echoKey, status });
      const res = await h.post('/v1/chat/completions', { model: 'chat', messages: user });
      expect(res.status).toBe(status === 400 ? 400 : 502);
      const error = await errorOf(res);
      expect(error.message).toContain('[redacted]');
      const line = await h.logFor(res.headers.get('x-request-id')!);
      for (const seen of [error.message.toLowerCase(), JSON.stringify(line).toLowerCase()]) {
        for (const run of runs(UPSTREAM_KEY)) expect(seen).not.toContain(run);
      }
    }
  });
});

describe('the built-in mock refuses what the real API refuses', () => {
  it('embeddings with a hundred million dimensions → 400 naming dimensions', async () => {
    const res = await h.post('/v1/embeddings', { model: 'mock-chat', input: 'x', dimensions: 100_000_000 });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).param).toBe('dimensions');
    // Still alive and answering.
    const ok = await h.post('/v1/embeddings', { model: 'mock-chat', input: 'x', dimensions: 8 });
    expect(ok.status).toBe(200);
  });
});
