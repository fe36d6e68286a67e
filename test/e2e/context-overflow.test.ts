import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { errorOf, sseData, startHarness, TEAM_KEY, UPSTREAM_KEY, type Harness } from './harness.ts';

// Context windows through the real server: a prompt too long for a target skips it, is
// trimmed, or is refused before anything reaches the provider.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: (fakeUrl) => `
server: { host: 127.0.0.1, port: 0, drainTimeout: 5s }
policies: { limits: { maxBodyBytes: 1mb, maxMessages: 2000 } }
providers:
  fake: { kind: openai, baseUrl: ${fakeUrl}, apiKey: ${UPSTREAM_KEY} }
models:
  fallback:
    targets:
      - { provider: fake, model: small-model, contextWindow: 300 }
      - { provider: fake, model: large-model, contextWindow: 100000 }
  small-only: { targets: [{ provider: fake, model: small-model, contextWindow: 300 }] }
  builtin: { targets: [{ provider: fake, model: gpt-4 }, { provider: fake, model: gpt-4o }] }
  trim:
    targets: [{ provider: fake, model: small-model, contextWindow: 2000 }]
    contextOverflow: trim
  reject:
    targets:
      - { provider: fake, model: small-model, contextWindow: 300 }
      - { provider: fake, model: large-model, contextWindow: 100000 }
    contextOverflow: reject
tenants:
  team: { keys: ["${hashKey(TEAM_KEY)}"], models: ["*"] }
`,
  });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const words = (n: number, tag = 'w') => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ');
const chat = (model: string, messages: unknown[], extra: Record<string, unknown> = {}) =>
  h.post('/v1/chat/completions', { model, messages, ...extra });

describe('context overflow: fallback (the default)', () => {
  it('skips a target whose window is too small; the larger one receives the request', async () => {
    const response = await chat('fallback', [{ role: 'user', content: words(400) }]);
    expect(response.status).toBe(200);
    expect(h.fake.requests.map((r) => r.body.model)).toEqual(['large-model']);
    // The log names the target that answered.
    expect((await h.logFor(response.headers.get('x-request-id')!)).model).toBe('large-model');
  });

  it('a prompt that fits goes to the first target as usual', async () => {
    const response = await chat('fallback', [{ role: 'user', content: 'short' }]);
    expect(response.status).toBe(200);
    expect(h.fake.requests.map((r) => r.body.model)).toEqual(['small-model']);
  });

  it("uses the built-in windows: past gpt-4's 8,192 tokens the request goes to gpt-4o", async () => {
    const response = await chat('builtin', [{ role: 'user', content: words(5000) }]);
    expect(response.status).toBe(200);
    expect(h.fake.requests.map((r) => r.body.model)).toEqual(['gpt-4o']);
  });

  it('counts the requested completion: max_tokens can push a prompt past a window', async () => {
    const response = await chat('fallback', [{ role: 'user', content: 'short' }], { max_tokens: 1000 });
    expect(response.status).toBe(200);
    expect(h.fake.requests.map((r) => r.body.model)).toEqual(['large-model']);
  });

  it('answers 400 context_length_exceeded in OpenAI style when no target fits, without calling upstream', async () => {
    for (const stream of [false, true]) {
      const response = await chat('small-only', [{ role: 'user', content: words(400) }], { stream });
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error).toMatchObject({ code: 'context_length_exceeded', type: 'invalid_request_error', param: 'messages' });
      expect(error.message).toMatch(/^This model's maximum context length is 300 tokens\. However, your messages resulted in \d+ tokens/);
    }
    expect(h.fake.requests).toHaveLength(0);
  });
});

describe('context overflow: trim', () => {
  const conversation = () => {
    const messages: unknown[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'The task: summarise.' },
    ];
    for (let i = 0; i < 15; i++) {
      messages.push({ role: 'assistant', content: null, tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: 'read', arguments: `{"page":${i}}` } }] });
      messages.push({ role: 'tool', tool_call_id: `call_${i}`, content: words(60, `page${i}-`) });
      messages.push({ role: 'assistant', content: words(40, `note${i}-`) });
    }
    messages.push({ role: 'user', content: 'The question now.' });
    return messages;
  };

  it('drops the middle, keeps system, first user and newest turns, and says so in x-tollgate-trimmed', async () => {
    const messages = conversation();
    for (const stream of [false, true]) {
      h.fake.reset();
      const response = await chat('trim', messages, { stream });
      expect(response.status).toBe(200);
      if (stream) expect((await sseData(response)).at(-1)).toBe('[DONE]');
      else await response.json();
      const trimmedHeader = response.headers.get('x-tollgate-trimmed');
      expect(trimmedHeader).toMatch(/^messages=\d+; tokens=\d+$/);
      const dropped = Number(/messages=(\d+)/.exec(trimmedHeader!)![1]);

      const sent = h.fake.requests[0]!.body.messages as Array<{ role: string; content: string | null; tool_call_id?: string; tool_calls?: Array<{ id: string }> }>;
      expect(sent.length + dropped).toBe(messages.length);
      expect(sent.length).toBeLessThan(messages.length);
      expect(sent.slice(0, 2).map((m) => m.content)).toEqual(['You are terse.', 'The task: summarise.']);
      expect(sent.at(-1)!.content).toBe('The question now.');
      // Every tool result that was kept still follows its call.
      sent.forEach((m, i) => {
        if (m.role !== 'tool') return;
        const before = sent.slice(0, i).reverse().find((p) => p.role !== 'tool');
        expect(before?.tool_calls?.some((c) => c.id === m.tool_call_id), `tool result ${m.tool_call_id}`).toBe(true);
      });
      // The newest turns are the ones kept.
      expect(sent.at(-2)!.content).toBe(words(40, 'note14-'));
    }
  });

  it('a conversation that fits is sent untouched, with no header', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    const response = await chat('trim', messages);
    expect(response.headers.get('x-tollgate-trimmed')).toBeNull();
    expect(h.fake.requests[0]!.body.messages).toEqual(messages);
  });

  it('answers 400 when even the kept minimum is too long (one giant message)', async () => {
    const response = await chat('trim', [{ role: 'system', content: 'x' }, { role: 'user', content: words(3000) }]);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('context_length_exceeded');
    expect(h.fake.requests).toHaveLength(0);
  });

  it('survives 2000 messages, including tool results without their call', async () => {
    const messages: unknown[] = [{ role: 'user', content: 'task' }];
    for (let i = 0; i < 1998; i++) messages.push(i % 3 === 0 ? { role: 'tool', tool_call_id: `orphan${i}`, content: 'r' } : { role: 'assistant', content: `a${i}` });
    messages.push({ role: 'user', content: 'now' });
    const response = await chat('trim', messages);
    expect(response.status).toBe(200);
    const sent = h.fake.requests[0]!.body.messages as unknown[];
    expect(sent.length).toBeLessThan(2000);
    expect(sent[0]).toEqual({ role: 'user', content: 'task' });
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'now' });
  });
});

describe('context overflow: reject', () => {
  it('refuses a prompt too long for the first target, even though a later one is larger', async () => {
    const response = await chat('reject', [{ role: 'user', content: words(400) }]);
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('context_length_exceeded');
    expect(h.fake.requests).toHaveLength(0);
  });
});
