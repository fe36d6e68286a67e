import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { errorOf, sseData, startHarness, type Harness } from './harness.ts';

// Tool-call validation and tool permissions through the real server: the fake upstream
// plays a model whose tool calls are malformed, and each tenant's policy decides.

const keyOf = (tenant: string) => `tg-${tenant}-key`;
const tenant = (name: string, extra: string) => `  ${name}:\n    keys: ["${hashKey(keyOf(name))}"]\n    models: [chat]\n${extra}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    tenants: [
      tenant('rejecter', ''),
      tenant('repairer', '    policies: { toolCalls: { onInvalid: repair, maxRepairs: 1 } }\n'),
      tenant('annotator', '    policies: { toolCalls: { onInvalid: annotate } }\n'),
      tenant('shadower', '    policies: { toolCalls: { mode: shadow } }\n'),
      tenant('support', '    tools: { allow: ["search_*", "get_*"], approve: [issue_refund], deny: [delete_customer_data] }\n'),
      tenant('stripper', '    tools: { deny: [delete_*], strip: true }\n'),
    ].join(''),
  });
});
afterAll(() => h.close());
beforeEach(() => h.fake.reset());

const client = (name: string) => new OpenAI({ baseURL: h.baseURL, apiKey: keyOf(name), maxRetries: 0, timeout: 10_000 });
const fn = (name: string, parameters: Record<string, unknown>) => ({ type: 'function' as const, function: { name, parameters } });
const searchTool = fn('search_orders', { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } }, required: ['query'], additionalProperties: false });
const request = { model: 'chat', messages: [{ role: 'user' as const, content: 'find my order' }], tools: [searchTool] };
const BAD = { name: 'search_orders', arguments: '{"query": 42}' };
const GOOD = { name: 'search_orders', arguments: '{"query":"order 42","limit":5}' };
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);
const post = (name: string, body: unknown) => h.post('/v1/chat/completions', body, { key: keyOf(name) });

describe('JSON answers', () => {
  it('reject: 502 invalid_tool_call with the validator errors', async () => {
    h.fake.enqueue({ toolCalls: [BAD] });
    const error = await failure(client('rejecter').chat.completions.create(request));
    expect(error!.status).toBe(502);
    expect(error!.code).toBe('invalid_tool_call');
    expect(error!.message).toContain('call 0 (search_orders): arguments/query must be string');
    expect(h.fake.requests).toHaveLength(1);
  });

  it('a valid call passes untouched', async () => {
    h.fake.enqueue({ toolCalls: [GOOD] });
    const completion = await client('rejecter').chat.completions.create(request);
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function).toEqual({ name: 'search_orders', arguments: GOOD.arguments });
  });

  it('a call to a tool the request did not offer is invalid', async () => {
    h.fake.enqueue({ toolCalls: [{ name: 'drop_tables', arguments: '{}' }] });
    const error = await failure(client('rejecter').chat.completions.create(request));
    expect(error!.code).toBe('invalid_tool_call');
    expect(error!.message).toContain('the tool "drop_tables" was not offered');
  });

  it('repair: asks again with the errors as feedback and answers the valid second try; both calls are metered', async () => {
    h.fake.enqueue({ toolCalls: [BAD], usage: { prompt_tokens: 10, completion_tokens: 5 } });
    h.fake.enqueue({ toolCalls: [GOOD], usage: { prompt_tokens: 30, completion_tokens: 7 } });
    const { data, response } = await client('repairer').chat.completions.create(request).withResponse();
    const call = data.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.arguments).toBe(GOOD.arguments);
    expect(response.headers.get('x-tollgate-flags')).toBe('tool_call_repaired');
    expect(h.fake.requests).toHaveLength(2);
    const [first, second] = h.fake.requests.map((r) => r.body.messages as Array<Record<string, any>>);
    expect(first).toHaveLength(1);
    expect(second!.slice(0, 1)).toEqual(first);
    expect(second![1]).toMatchObject({ role: 'assistant', tool_calls: [{ type: 'function', function: BAD }] });
    expect(second![2]!.role).toBe('tool');
    expect(second![2]!.tool_call_id).toBe(second![1]!.tool_calls[0].id);
    expect(second![2]!.content).toContain('arguments/query must be string');
    const line = await h.logFor(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ status: 200, promptTokens: 40, completionTokens: 12 });
  });

  it('repair: gives up after maxRepairs with 502', async () => {
    h.fake.enqueue({ toolCalls: [BAD] }, 3);
    const error = await failure(client('repairer').chat.completions.create(request));
    expect(error!.code).toBe('invalid_tool_call');
    expect(h.fake.requests).toHaveLength(2);
  });

  it('annotate: passes the call and flags it', async () => {
    h.fake.enqueue({ toolCalls: [BAD] });
    const { data, response } = await client('annotator').chat.completions.create(request).withResponse();
    const call = data.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.arguments).toBe(BAD.arguments);
    expect(response.headers.get('x-tollgate-flags')).toBe('invalid_tool_call');
  });

  it('shadow: changes nothing, logs what it would have done', async () => {
    h.fake.enqueue({ toolCalls: [BAD] });
    const { response } = await client('shadower').chat.completions.create(request).withResponse();
    expect(response.headers.get('x-tollgate-flags')).toBeNull();
    const reqId = response.headers.get('x-request-id')!;
    await h.logFor(reqId);
    expect(h.logs.find((l) => l.reqId === reqId && l.policy === 'toolCalls')).toMatchObject({ outcome: 'shadow', mode: 'shadow' });
  });

  it('holds response_format json_schema answers to their schema', async () => {
    const response_format = {
      type: 'json_schema' as const,
      json_schema: { name: 'answer', strict: true, schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
    };
    h.fake.enqueue({ content: '{"city":"Paris"}' });
    const ok = await client('rejecter').chat.completions.create({ model: 'chat', messages: request.messages, response_format });
    expect(ok.choices[0]!.message.content).toBe('{"city":"Paris"}');
    h.fake.enqueue({ content: '{"town":"Paris"}' });
    const error = await failure(client('rejecter').chat.completions.create({ model: 'chat', messages: request.messages, response_format }));
    expect(error!.code).toBe('invalid_tool_call');
    expect(error!.message).toContain('response: answer is missing the required property "city"');
  });
});

describe('streams', () => {
  it('passes text at once and releases valid calls whole, in order, with their indexes', async () => {
    const other = fn('get_status', { type: 'object', properties: { id: { type: 'string' } } });
    h.fake.enqueue({ content: 'Looking that up.', toolCalls: [GOOD, { name: 'get_status', arguments: '{"id":"7"}' }], chunks: 3 });
    const stream = await client('rejecter').chat.completions.create({ ...request, tools: [searchTool, other], stream: true });
    const deltas: Array<Record<string, any>> = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta ?? {});
    const text = deltas.map((d) => d.content ?? '').join('');
    expect(text).toBe('Looking that up.');
    const calls = deltas.flatMap((d) => d.tool_calls ?? []);
    expect(calls.map((c) => [c.index, c.function.name, c.function.arguments])).toEqual([
      [0, 'search_orders', GOOD.arguments],
      [1, 'get_status', '{"id":"7"}'],
    ]);
    expect(calls.every((c) => typeof c.id === 'string' && c.id !== '')).toBe(true);
  });

  it('reject: an SSE error event, no [DONE], and nothing of the invalid call', async () => {
    h.fake.enqueue({ content: 'Sure.', toolCalls: [BAD], chunks: 3 });
    const response = await post('rejecter', { ...request, stream: true });
    expect(response.status).toBe(200);
    const events = await sseData(response);
    expect(events).not.toContain('[DONE]');
    const last = JSON.parse(events.at(-1)!);
    expect(last.error).toMatchObject({ code: 'invalid_tool_call' });
    expect(last.error.message).toContain('arguments/query must be string');
    expect(events.slice(0, -1).join('')).not.toContain('"tool_calls"');
    const text = events.slice(0, -1).map((e) => JSON.parse(e).choices?.[0]?.delta?.content ?? '').join('');
    expect(text).toBe('Sure.');
  });

  it('the SDK sees the failure as an error', async () => {
    h.fake.enqueue({ toolCalls: [BAD] });
    const stream = await client('rejecter').chat.completions.create({ ...request, stream: true });
    const read = async () => {
      for await (const _ of stream);
    };
    await expect(read()).rejects.toThrow(/invalid tool call/);
  });

  it('repair: a call that starts before any text is held and asked again; the client sees only the valid answer', async () => {
    h.fake.enqueue({ toolCalls: [BAD], chunks: 3, usage: { prompt_tokens: 10, completion_tokens: 5 } });
    h.fake.enqueue({ toolCalls: [GOOD], chunks: 3, usage: { prompt_tokens: 30, completion_tokens: 7 } });
    const response = await post('repairer', { ...request, stream: true, stream_options: { include_usage: true } });
    const events = await sseData(response);
    expect(events.at(-1)).toBe('[DONE]');
    const joined = events.join('');
    expect(joined).not.toContain('"query": 42');
    const args = events
      .filter((e) => e !== '[DONE]')
      .flatMap((e) => (JSON.parse(e).choices?.[0]?.delta?.tool_calls ?? []) as Array<{ function: { arguments?: string } }>)
      .map((c) => c.function.arguments ?? '')
      .join('');
    expect(args).toBe(GOOD.arguments);
    expect(h.fake.requests).toHaveLength(2);
    const feedback = h.fake.requests[1]!.body.messages as Array<Record<string, any>>;
    expect(feedback.at(-1)).toMatchObject({ role: 'tool' });
    expect(feedback.at(-1)!.content).toContain('arguments/query must be string');
    const line = await h.logFor(response.headers.get('x-request-id')!);
    expect(line).toMatchObject({ promptTokens: 40, completionTokens: 12 });
  });

  it('repair after text was sent: the stream ends with the error event instead', async () => {
    h.fake.enqueue({ content: 'Let me check.', toolCalls: [BAD], chunks: 2 });
    const events = await sseData(await post('repairer', { ...request, stream: true }));
    expect(JSON.parse(events.at(-1)!).error.code).toBe('invalid_tool_call');
    expect(h.fake.requests).toHaveLength(1);
  });

  it('annotate: the call passes, flagged in its chunk', async () => {
    h.fake.enqueue({ toolCalls: [BAD], chunks: 3 });
    const events = await sseData(await post('annotator', { ...request, stream: true }));
    expect(events.at(-1)).toBe('[DONE]');
    const flagged = events.filter((e) => e.includes('tollgate_flags')).map((e) => JSON.parse(e));
    expect(flagged).toHaveLength(1);
    expect(flagged[0].tollgate_flags).toEqual(['invalid_tool_call']);
    expect(flagged[0].choices[0].delta.tool_calls[0].function.arguments).toBe(BAD.arguments);
  });

  it('bounds the arguments held per call', async () => {
    h.fake.enqueue({ toolCalls: [{ name: 'search_orders', arguments: `{"query":"${'x'.repeat(300_000)}"}` }], chunks: 50 });
    const events = await sseData(await post('rejecter', { ...request, stream: true }));
    expect(JSON.parse(events.at(-1)!).error.message).toContain('arguments longer than 262144 bytes');
  });

  it('bounds the calls per answer', async () => {
    h.fake.enqueue({ toolCalls: Array.from({ length: 70 }, () => GOOD), chunks: 1 });
    const events = await sseData(await post('rejecter', { ...request, stream: true }));
    expect(JSON.parse(events.at(-1)!).error.message).toContain('more than 64 tool calls in one answer');
    h.fake.enqueue({ toolCalls: Array.from({ length: 70 }, () => GOOD) });
    const error = await failure(client('rejecter').chat.completions.create(request));
    expect(error!.message).toContain('more than 64 tool calls in one answer');
  });
});

describe('tool permissions', () => {
  const tools = [fn('search_orders', { type: 'object' }), fn('get_order', { type: 'object' }), fn('issue_refund', { type: 'object' })];

  it('allows offered tools in allow and approve', async () => {
    h.fake.enqueue({ content: 'ok' });
    const completion = await client('support').chat.completions.create({ ...request, tools });
    expect(completion.choices[0]!.message.content).toBe('ok');
  });

  it('refuses 403 tool_not_allowed for an offered denied tool, or one outside the allowed set, before any upstream call', async () => {
    for (const name of ['delete_customer_data', 'send_email']) {
      const response = await post('support', { ...request, tools: [...tools, fn(name, { type: 'object' })] });
      expect(response.status).toBe(403);
      const error = await errorOf(response);
      expect(error).toMatchObject({ code: 'tool_not_allowed', type: 'permission_error', param: 'tools[3]' });
      expect(error.message).toContain(name);
    }
    expect(h.fake.requests).toHaveLength(0);
  });

  it('strip: removes denied tools from the request instead', async () => {
    h.fake.enqueue({ content: 'ok' });
    const response = await post('stripper', { ...request, tools: [searchTool, fn('delete_account', { type: 'object' })] });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-tollgate-tools-stripped')).toBe('1');
    expect(h.fake.requests[0]!.body.tools.map((t: any) => t.function.name)).toEqual(['search_orders']);
    const forced = await post('stripper', { ...request, tools: [fn('delete_account', { type: 'object' })], tool_choice: { type: 'function', function: { name: 'delete_account' } } });
    expect(forced.status).toBe(403);
  });
});
