import { connect } from 'node:net';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { errorOf, startHarness, type Harness } from './harness.ts';

// Per-run guards for agents, through the real server: a scripted agent (the openai SDK)
// whose model keeps proposing the same tool call, runs over their step, token and cost
// limits, streamed tool calls, and hostile run ids.

const RUN_HEADER = 'x-tollgate-run-id';
const keyOf = (tenant: string) => `tg-${tenant}-key`;
const tenant = (name: string, runs: string) => `  ${name}:\n    keys: ["${hashKey(keyOf(name))}"]\n    models: [chat]\n    runs: ${runs}\n`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    // $0.001 per token for the fake model, so cost limits are easy to reach.
    topLevel: 'pricing: { fake-model: { input: 1000, output: 1000 } }',
    tenants: [
      tenant('loopy', '{ maxRepeatedToolCalls: 3, idleTimeout: 10m }'),
      tenant('stepper', '{ maxSteps: 2 }'),
      tenant('tokener', '{ maxTokens: 300 }'),
      tenant('spender', '{ maxUsd: 0.4 }'),
      tenant('toolish', '{ maxToolCalls: 2 }'),
    ].join(''),
  });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

/** An agent's client: every step carries its run id; the SDK's own retries stay on. */
const agent = (tenantName: string, runId: string) =>
  new OpenAI({ baseURL: h.baseURL, apiKey: keyOf(tenantName), maxRetries: 2, timeout: 10_000, defaultHeaders: { [RUN_HEADER]: runId } });

const tools = [{ type: 'function' as const, function: { name: 'search', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];
const stepFailure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
const auditOf = (runId: string) => h.logs.filter((l) => l.audit === 'tool_call' && l.runId === runId);

describe('loop detection', () => {
  it('refuses the 4th proposal of the same tool call, and every later step of the run', async () => {
    const runId = 'loop-run-1';
    const client = agent('loopy', runId);
    // The same call each time, written differently: key order, spacing, number forms.
    for (const args of ['{"query":"secret-needle","limit":5}', '{ "limit": 5.0, "query": "secret-needle" }', '{"limit":5,"query":"secret-needle"}\n', '{"query": "secret-needle", "limit": 5e0}']) {
      h.fake.enqueue({ toolCalls: [{ name: 'search', arguments: args }] });
    }
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'find the needle' }];
    for (let step = 1; step <= 3; step++) {
      const { data, response } = await client.chat.completions.create({ model: 'chat', messages, tools }).withResponse();
      expect(response.headers.get('x-tollgate-run-step')).toBe(String(step));
      const call = data.choices[0]!.message.tool_calls![0]!;
      expect(call.type === 'function' && call.function.name).toBe('search');
      messages.push(data.choices[0]!.message, { role: 'tool', tool_call_id: call.id, content: 'nothing found' });
    }

    const fourth = await stepFailure(client.chat.completions.create({ model: 'chat', messages, tools }));
    expect(fourth).toBeInstanceOf(OpenAI.APIError);
    expect(fourth!.status).toBe(429);
    expect(fourth!.code).toBe('agent_loop_detected');
    expect(fourth!.message).toContain('"search"');
    expect(fourth!.message).toContain('4 times, more than the limit of 3 (maxRepeatedToolCalls)');
    // The 4th proposal was made (and paid for), and not retried by the SDK.
    expect(h.fake.requests).toHaveLength(4);
    await h.logFor(fourth!.headers!.get('x-request-id')!);

    const fifth = await stepFailure(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'try again' }] }));
    expect(fifth!.status).toBe(429);
    expect(fifth!.code).toBe('agent_loop_detected');
    expect(fifth!.message).toBe(fourth!.message);
    expect(h.fake.requests).toHaveLength(4);

    const audit = auditOf(runId);
    expect(audit.map((l) => [l.tenant, l.step, l.tool, l.repeat])).toEqual([
      ['loopy', 1, 'search', 1],
      ['loopy', 2, 'search', 2],
      ['loopy', 3, 'search', 3],
      ['loopy', 4, 'search', 4],
    ]);
    expect(new Set(audit.map((l) => l.argsHash)).size).toBe(1);
    expect(audit[0]!.argsHash).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(h.logs)).not.toContain('secret-needle');

    // Another run of the same tenant is not affected.
    const fresh = await agent('loopy', 'loop-run-2').chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    expect(fresh.choices[0]!.message.content).toBeTruthy();
  });

  it('an agent re-sending the same request: the model\'s 4th identical proposal is what ends the run', async () => {
    const client = agent('loopy', 'loop-same-request');
    h.fake.setDefault({ toolCalls: [{ name: 'search', arguments: '{"query":"x"}' }] });
    const ask = () => client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'find x' }], tools });
    for (let step = 1; step <= 3; step++) await ask();
    const fourth = await stepFailure(ask());
    expect(fourth!.code).toBe('agent_loop_detected');
    expect(fourth!.message).toContain('"search"');
    expect(h.fake.requests).toHaveLength(4);
    expect((await stepFailure(ask()))!.message).toBe(fourth!.message);
    expect(h.fake.requests).toHaveLength(4);
  });

  it('counts unparseable tool-call arguments as the same call when their text is', async () => {
    const client = agent('loopy', 'loop-malformed');
    h.fake.enqueue({ toolCalls: [{ name: 'broken', arguments: '{"query": "unterminated' }] }, 4);
    for (let step = 1; step <= 3; step++) await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `step ${step}` }] });
    const err = await stepFailure(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'step 4' }] }));
    expect(err!.code).toBe('agent_loop_detected');
  });

  it('refuses the same request repeated more than maxRepeatedToolCalls times, before calling the provider', async () => {
    const body = { model: 'chat', messages: [{ role: 'user', content: 'are we there yet?' }] };
    const headers = { [RUN_HEADER]: 'repeat-run' };
    // Sent once and repeated three times: answered.
    for (let i = 0; i < 4; i++) expect((await h.post('/v1/chat/completions', body, { key: keyOf('loopy'), headers })).status).toBe(200);
    const refused = await h.post('/v1/chat/completions', body, { key: keyOf('loopy'), headers });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-should-retry')).toBe('false');
    const error = await errorOf(refused);
    expect(error.code).toBe('agent_loop_detected');
    expect(error.message).toContain('the same request (identical messages and tools) was repeated 4 times after it was answered, more than the limit of 3');
    expect(h.fake.requests).toHaveLength(4);
  });

  it('assembles streamed tool calls from their deltas and ends the run after the looping stream', async () => {
    const runId = 'stream-loop';
    const client = agent('loopy', runId);
    const args = '{"url": "https://example.com/page", "render": true}';
    h.fake.enqueue({ toolCalls: [{ name: 'fetch_page', arguments: args }], chunks: 5 }, 4);
    for (let step = 1; step <= 4; step++) {
      const stream = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: `step ${step}` }] });
      let received = '';
      for await (const chunk of stream) received += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
      // Every stream, the 4th too, is relayed whole: it was past its commit point.
      expect(received).toBe(args);
    }
    expect(auditOf(runId).map((l) => [l.step, l.tool, l.repeat])).toEqual([
      [1, 'fetch_page', 1],
      [2, 'fetch_page', 2],
      [3, 'fetch_page', 3],
      [4, 'fetch_page', 4],
    ]);
    const next = await stepFailure(client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'step 5' }] }));
    expect(next!.status).toBe(429);
    expect(next!.code).toBe('agent_loop_detected');
    expect(next!.message).toContain('"fetch_page"');
    expect(h.fake.requests).toHaveLength(4);
  });

  it('a model streaming megabytes of tool-call arguments is relayed and recorded by hash', async () => {
    const runId = 'huge-args';
    const args = JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) });
    h.fake.enqueue({ toolCalls: [{ name: 'upload', arguments: args }], chunks: 64 });
    const stream = await agent('loopy', runId).chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'upload' }] });
    let length = 0;
    for await (const chunk of stream) length += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments?.length ?? 0;
    expect(length).toBe(args.length);
    const [line] = auditOf(runId);
    expect(line).toMatchObject({ tool: 'upload', step: 1, repeat: 1 });
    expect(JSON.stringify(line).length).toBeLessThan(1000);
  });
});

describe('run limits', () => {
  it('maxSteps: the step past the limit is refused with run_budget_exceeded', async () => {
    const client = agent('stepper', 'steps-run');
    for (let step = 1; step <= 2; step++) await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `step ${step}` }] });
    const err = await stepFailure(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'step 3' }] }));
    expect(err!.status).toBe(429);
    expect(err!.code).toBe('run_budget_exceeded');
    expect(err!.message).toContain('it used all 2 of its steps (maxSteps)');
    expect(h.fake.requests).toHaveLength(2);
  });

  it('maxTokens: counted from the usage of the served target', async () => {
    const client = agent('tokener', 'tokens-run');
    h.fake.setDefault({ usage: { prompt_tokens: 100, completion_tokens: 50 } });
    for (let step = 1; step <= 2; step++) await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: `step ${step}` }] });
    const err = await stepFailure(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'step 3' }] }));
    expect(err!.code).toBe('run_budget_exceeded');
    expect(err!.message).toContain('it used 300 tokens, reaching its limit of 300 (maxTokens)');
  });

  it('maxUsd: priced with the configured price of the served model, streams included', async () => {
    const client = agent('spender', 'usd-run');
    h.fake.setDefault({ usage: { prompt_tokens: 100, completion_tokens: 50 } });
    // 150 tokens at $0.001 = $0.15 a step: three steps reach $0.45, over the $0.40 limit.
    await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'step 1' }] });
    const stream = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'step 2' }] });
    for await (const _ of stream);
    await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'step 3' }] });
    const err = await stepFailure(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'step 4' }] }));
    expect(err!.code).toBe('run_budget_exceeded');
    expect(err!.message).toContain('it cost $0.4500, reaching its limit of $0.4 (maxUsd)');
  });

  it('maxToolCalls: an answer proposing calls past the limit is refused instead of relayed', async () => {
    const client = agent('toolish', 'tools-run');
    h.fake.enqueue({ toolCalls: [{ name: 'a', arguments: '{}' }, { name: 'b', arguments: '{}' }, { name: 'c', arguments: '{}' }] });
    const err = await stepFailure(client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'go' }] }));
    expect(err!.code).toBe('run_budget_exceeded');
    expect(err!.message).toContain('the model proposed 3 tool calls, more than its limit of 2 (maxToolCalls)');
    const line = await h.logFor(err!.headers!.get('x-request-id')!);
    expect(line).toMatchObject({ status: 429, code: 'run_budget_exceeded', promptTokens: expect.any(Number) });
    expect(auditOf('tools-run').map((l) => l.tool)).toEqual(['a', 'b', 'c']);
  });

  it('steps without a run id, and tenants without run guards, are not guarded', async () => {
    h.fake.setDefault({ toolCalls: [{ name: 'search', arguments: '{}' }] });
    const plain = new OpenAI({ baseURL: h.baseURL, apiKey: keyOf('stepper'), maxRetries: 0 });
    for (let i = 0; i < 4; i++) await plain.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    const unguarded = await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, { headers: { [RUN_HEADER]: 'x' } });
    expect(unguarded.status).toBe(200);
    expect(unguarded.headers.get('x-tollgate-run-step')).toBeNull();
  });
});

describe('hostile run ids', () => {
  const body = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] };

  it.each([
    ['too long', 'r'.repeat(129)],
    ['huge', 'r'.repeat(8000)],
    ['spaces', 'run 1'],
    ['braces (a Redis hash tag)', 'run{1}'],
    ['non-ASCII', 'r\u00e9sum\u00e9'],
    ['leading punctuation', '../etc'],
    ['empty', ''],
  ])('%s: 400 invalid_request, nothing sent upstream', async (_what, runId) => {
    const response = await h.post('/v1/chat/completions', body, { key: keyOf('stepper'), headers: { [RUN_HEADER]: runId } });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(RUN_HEADER);
    expect(h.fake.requests).toHaveLength(0);
  });

  it('two run id headers on one request: 400', async () => {
    const payload = JSON.stringify(body);
    const { port } = new URL(h.gateway.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += d.toString('latin1')));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${keyOf('stepper')}\r\n` +
          `Content-Type: application/json\r\n${RUN_HEADER}: run-a\r\n${RUN_HEADER}: run-b\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
      );
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw).toContain('"code":"invalid_request"');
  });

  it('hundreds of distinct run ids at once are all served (memory stays bounded: see the memory store)', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => h.post('/v1/chat/completions', body, { key: keyOf('stepper'), headers: { [RUN_HEADER]: `flood-${i}` } }).then((r) => r.status)),
    );
    expect(new Set(results)).toEqual(new Set([200]));
  });
});
