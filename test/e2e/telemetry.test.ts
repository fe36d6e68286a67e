import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { samplesOf, total } from '../support/prometheus-text.ts';
import { sseData, startHarness, type Harness } from './harness.ts';

// Metrics and traces through the real server: GET /metrics after real requests (JSON,
// streams, errors, hostile model names), and spans in an in-memory exporter with the W3C
// trace context honoured and sent upstream.

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const BUDGET_KEY = 'tg-budgeted-key';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    topLevel: 'pricing: { fake-model: { input: 1, output: 2 } }\ntelemetry: { content: true }',
    tenants: `  budgeted:\n    keys: ["${hashKey(BUDGET_KEY)}"]\n    models: [chat]\n    budgets: [{ window: day, usd: 5 }]\n`,
    telemetry: { tracerProvider: provider },
  });
});
afterAll(() => h.close());
beforeEach(() => {
  h.fake.reset();
  exporter.reset();
});

const metricsText = async () => {
  const response = await fetch(`${h.gateway.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

describe('GET /metrics', () => {
  it('counts requests, tokens, cost and latency by tenant, alias, provider and model', async () => {
    h.fake.setDefault({ usage: { prompt_tokens: 12, completion_tokens: 7 } });
    const before = samplesOf(await metricsText());
    await h.client(BUDGET_KEY).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] });
    const stream = await h.client(BUDGET_KEY).chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
    for await (const _ of stream);
    await h.logFor((await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { key: BUDGET_KEY })).headers.get('x-request-id')!);
    const after = samplesOf(await metricsText());
    const delta = (name: string, match: Record<string, string>) => total(after, name, match) - total(before, name, match);

    const labels = { tenant: 'budgeted', alias: 'chat' };
    expect(delta('tollgate_requests_total', { ...labels, status: '200', code: '', stream: 'false' })).toBe(2);
    expect(delta('tollgate_requests_total', { ...labels, status: '200', stream: 'true' })).toBe(1);
    const genAi = { ...labels, gen_ai_operation_name: 'chat', gen_ai_provider_name: 'fake', gen_ai_request_model: 'fake-model', gen_ai_response_model: 'fake-model' };
    expect(delta('gen_ai_client_token_usage_sum', { ...genAi, gen_ai_token_type: 'input' })).toBe(36);
    expect(delta('gen_ai_client_token_usage_sum', { ...genAi, gen_ai_token_type: 'output' })).toBe(21);
    expect(delta('gen_ai_server_request_duration_seconds_count', genAi)).toBe(3);
    expect(delta('gen_ai_server_time_to_first_token_seconds_count', genAi)).toBe(3);
    expect(delta('gen_ai_server_time_per_output_token_seconds_count', genAi)).toBe(1);
    expect(delta('tollgate_gateway_overhead_seconds_count', { endpoint: 'chat' })).toBe(3);
    // $1 and $2 per million tokens: 3 × (12 + 14) micro-dollars.
    expect(delta('tollgate_cost_usd_total', { ...labels, provider: 'fake', model: 'fake-model' })).toBeCloseTo(78e-6, 9);
    expect(total(after, 'tollgate_budget_limit', { tenant: 'budgeted', window: 'day', measure: 'usd', model: '*' })).toBe(5);
    expect(total(after, 'tollgate_budget_remaining', { tenant: 'budgeted', window: 'day', measure: 'usd' })).toBeLessThan(5);
    expect(total(after, 'tollgate_inflight_streams')).toBe(0);
    expect(after.some((s) => s.name === 'process_resident_memory_bytes')).toBe(true);
  });

  it('never turns request text into a label: an unknown model, a bad key, hostile headers', async () => {
    const hostile = 'evil"model\n{x="1"}';
    expect((await h.post('/v1/chat/completions', { model: hostile, messages: [{ role: 'user', content: 'x' }] })).status).toBe(404);
    expect((await h.post('/v1/chat/completions', { model: 'chat', messages: [] }, { key: 'tg-not-a-key' })).status).toBe(401);
    await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-tollgate-run-id': 'run-secret-123' } });
    const text = await metricsText();
    expect(text).not.toContain('evil');
    expect(text).not.toContain('run-secret-123');
    expect(text).not.toContain('tg-not-a-key');
    const samples = samplesOf(text);
    expect(total(samples, 'tollgate_requests_total', { tenant: 'team-a', alias: '', status: '404', code: 'model_not_found' })).toBe(1);
    expect(total(samples, 'tollgate_requests_total', { tenant: '', status: '401', code: 'invalid_api_key' })).toBeGreaterThanOrEqual(1);
  });

  it('counts upstream attempts by outcome and the error a failed request ends with', async () => {
    h.fake.enqueue({ status: 500 });
    const response = await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    expect(response.status).toBe(502);
    await h.logFor(response.headers.get('x-request-id')!);
    const samples = samplesOf(await metricsText());
    // The outcome is what the attempt would have answered, as in x-tollgate-attempts.
    expect(response.headers.get('x-tollgate-attempts')).toBe('fake/fake-model=502');
    expect(total(samples, 'tollgate_upstream_attempts_total', { target: 'fake/fake-model', outcome: '502' })).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'tollgate_requests_total', { tenant: 'team-a', alias: 'chat', status: '502', code: 'upstream_error' })).toBeGreaterThanOrEqual(1);
  });

  it('answers 405 to other methods', async () => {
    expect((await fetch(`${h.gateway.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});

describe('traces', () => {
  const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
  const PARENT_SPAN = 'b7ad6b7169203331';
  const spans = async (count: number): Promise<ReadableSpan[]> => {
    for (let i = 0; i < 100 && exporter.getFinishedSpans().length < count; i++) await new Promise((r) => setTimeout(r, 20));
    return exporter.getFinishedSpans();
  };

  it('one server span per request and one client span per attempt, under the caller\'s traceparent, sent upstream', async () => {
    h.fake.setDefault({ usage: { prompt_tokens: 5, completion_tokens: 3 } });
    const response = await h.post(
      '/v1/chat/completions',
      { model: 'chat', messages: [{ role: 'user', content: 'secret prompt' }] },
      { headers: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`, 'x-tollgate-run-id': 'run-1' } },
    );
    expect(response.status).toBe(200);
    const [client, server] = await spans(2);
    expect(server!.name).toBe('chat fake-model');
    expect(server!.spanContext().traceId).toBe(PARENT_TRACE);
    expect(server!.parentSpanContext?.spanId).toBe(PARENT_SPAN);
    expect(server!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'fake-model',
      'gen_ai.response.model': 'fake-model',
      'gen_ai.provider.name': 'fake',
      'gen_ai.usage.input_tokens': 5,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.response.finish_reasons': ['stop'],
      'tollgate.tenant': 'team-a',
      'tollgate.alias': 'chat',
      'tollgate.run_id': 'run-1',
      'http.response.status_code': 200,
    });
    // telemetry.content: true in this file's config.
    expect(String(server!.attributes['gen_ai.input.messages'])).toContain('secret prompt');
    expect(client!.name).toBe('chat fake-model');
    expect(client!.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    const sent = h.fake.requests[0]!.headers.traceparent;
    expect(sent).toBe(`00-${PARENT_TRACE}-${client!.spanContext().spanId}-01`);
  });

  it('a stream\'s spans end when the stream does; a failed attempt\'s span is an error', async () => {
    h.fake.enqueue({ chunks: 3 });
    const response = await h.post('/v1/chat/completions', { model: 'chat', stream: true, messages: [{ role: 'user', content: 'x' }] });
    await sseData(response);
    h.fake.enqueue({ status: 503 });
    await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    const finished = await spans(4);
    const servers = finished.filter((s) => s.kind === 1);
    expect(servers.map((s) => s.attributes['http.response.status_code'])).toEqual([200, 503]);
    const failed = finished.filter((s) => s.kind === 2 && s.attributes['error.type'] !== undefined);
    expect(failed).toHaveLength(1);
    // No incoming traceparent: a fresh trace, still propagated upstream.
    expect(String(h.fake.requests[0]!.headers.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('a malformed traceparent starts a fresh trace', async () => {
    await h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { headers: { traceparent: 'garbage\u00ff' } });
    const [, server] = await spans(2);
    expect(server!.parentSpanContext).toBeUndefined();
  });
});


describe('telemetry off', () => {
  let off: Harness;
  beforeAll(async () => {
    off = await startHarness({ topLevel: 'telemetry: { metrics: false }' });
  });
  afterAll(() => off.close());

  it('no /metrics route; a valid caller traceparent is passed upstream unchanged, a malformed one is dropped', async () => {
    expect((await fetch(`${off.gateway.url}/metrics`)).status).toBe(404);
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const ok = await off.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { headers: { traceparent, tracestate: 'vendor=1' } });
    expect(ok.status).toBe(200);
    expect(off.fake.requests[0]!.headers).toMatchObject({ traceparent, tracestate: 'vendor=1' });
    await off.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { headers: { traceparent: '00-zz-not-a-trace' } });
    expect(off.fake.requests[1]!.headers.traceparent).toBeUndefined();
  });
});
