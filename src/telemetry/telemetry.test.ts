import type { IncomingMessage } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { hashKey } from '../config/keys.ts';
import { parseConfig } from '../config/load.ts';
import { newRequestCtx, type RequestCtx } from '../proxy/context.ts';
import type { ResolvedTarget } from '../router/model-table.ts';
import { connectState } from '../state/shared-state.ts';
import { samplesOf, total } from '../../test/support/prometheus-text.ts';
import { createTelemetry } from './telemetry.ts';
import { tracingWanted } from './tracing.ts';

const config = (telemetry = '') =>
  parseConfig(
    `
${telemetry}
providers: { mock: { kind: mock } }
models: { a: { targets: [{ provider: mock, model: m1 }, { provider: mock, model: m2 }] } }
tenants: { t: { keys: ["${hashKey('k')}"], models: [a] } }
`,
    'test.yaml',
    {},
  ).config;

const silent = pino({ level: 'silent' });
const state = () => connectState({ kind: 'memory' }, silent);

function servedCtx(): RequestCtx {
  const ctx = newRequestCtx('r1', 'chat', { headers: {} } as IncomingMessage, new AbortController().signal);
  ctx.tenant = { name: 't' } as RequestCtx['tenant'];
  ctx.alias = 'a';
  ctx.target = { provider: { name: 'mock' }, model: 'm2' } as ResolvedTarget;
  ctx.attempts.push({ target: 'mock/m1', outcome: 502 }, { target: 'mock/m1', outcome: 502 }, { target: 'mock/m2', outcome: 200 });
  ctx.firstByteMs = 5;
  ctx.upstreamMs = 4;
  ctx.usage = { promptTokens: 10, completionTokens: 4, totalTokens: 14, source: 'upstream' };
  ctx.costUsd = 0.5;
  ctx.runStep = 1;
  ctx.runId = 'run-secret';
  ctx.cache = { status: 'hit', savedUsd: 0.25 };
  ctx.verdicts.push({ policy: 'toolCalls', action: 'invalid', mode: 'enforce', tool: 'search', reason: 'arguments do not match the schema' });
  return ctx;
}

describe('the edge observer', () => {
  it('turns one request context into retries, fallbacks, verdicts, cache and run figures', async () => {
    const telemetry = await createTelemetry(config(), silent, state());
    telemetry.observer!.finish(servedCtx(), { status: 200, code: undefined }, undefined);
    const text = await telemetry.metrics!.registry.metrics();
    const s = samplesOf(text);
    expect(total(s, 'tollgate_retries_total', { target: 'mock/m1' })).toBe(1);
    expect(total(s, 'tollgate_fallbacks_total', { alias: 'a', from: 'mock/m1', to: 'mock/m2' })).toBe(1);
    expect(total(s, 'tollgate_policy_verdicts_total', { tenant: 't', policy: 'toolCalls', action: 'invalid', mode: 'enforce' })).toBe(1);
    expect(total(s, 'tollgate_tool_calls_total', { tenant: 't', action: 'invalid' })).toBe(1);
    expect(total(s, 'tollgate_cache_requests_total', { result: 'hit' })).toBe(1);
    expect(total(s, 'tollgate_cache_saved_usd_total', { tenant: 't' })).toBe(0.25);
    expect(total(s, 'tollgate_runs_started_total', { tenant: 't' })).toBe(1);
    expect(total(s, 'tollgate_run_tokens_total', { tenant: 't' })).toBe(14);
    expect(total(s, 'tollgate_run_cost_usd_total', { tenant: 't' })).toBe(0.5);
    expect(text).not.toContain('run-secret');
    // JSON: the whole time but the 4 ms upstream.
    expect(total(s, 'tollgate_gateway_overhead_seconds_count', { endpoint: 'chat' })).toBe(1);
    await telemetry.close();
  });

  it('counts runs stopped by guards by code', async () => {
    const telemetry = await createTelemetry(config(), silent, state());
    const ctx = newRequestCtx('r2', 'chat', { headers: {} } as IncomingMessage, new AbortController().signal);
    ctx.tenant = { name: 't' } as RequestCtx['tenant'];
    telemetry.observer!.finish(ctx, { status: 429, code: 'agent_loop_detected' }, undefined);
    const s = samplesOf(await telemetry.metrics!.registry.metrics());
    expect(total(s, 'tollgate_run_guard_stops_total', { tenant: 't', code: 'agent_loop_detected' })).toBe(1);
    expect(total(s, 'tollgate_requests_total', { tenant: 't', alias: '', status: '429', code: 'agent_loop_detected' })).toBe(1);
  });

  it('metrics off: no registry; policy verdicts still reach the audit log', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const telemetry = await createTelemetry(config('telemetry: { metrics: false }'), silent, state(), { auditDestination: sink });
    expect(telemetry.metrics).toBeUndefined();
    telemetry.observer!.finish(servedCtx(), { status: 200, code: undefined }, undefined);
    await new Promise((r) => setImmediate(r));
    expect(lines).toMatchObject([{ audit: 'policy', log: 'audit', tenant: 't', runId: 'run-secret', policy: 'toolCalls', action: 'invalid', tool: 'search' }]);
  });

  it('audit.path: a file, created with its directory, flushed on close', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tollgate-audit-')), 'nested', 'audit.log');
    const telemetry = await createTelemetry(config(`telemetry: { audit: { path: ${path} } }`), silent, state());
    telemetry.audit.info({ audit: 'tool_call', tool: 'search' }, 'tool call proposed');
    await telemetry.close();
    const [line] = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(line).toMatchObject({ audit: 'tool_call', tool: 'search', log: 'audit', service: 'tollgate' });
  });

  it('state store operations are timed, and failures counted, through SharedState', async () => {
    const shared = state();
    const telemetry = await createTelemetry(config(), silent, shared);
    shared.observer!('budget reserve', 2, true);
    shared.observer!('budget reserve', 1000, false);
    const s = samplesOf(await telemetry.metrics!.registry.metrics());
    expect(total(s, 'tollgate_state_store_duration_seconds_count', { operation: 'budget reserve' })).toBe(2);
    expect(total(s, 'tollgate_state_store_errors_total', { operation: 'budget reserve' })).toBe(1);
  });
});

describe('tracing is off unless configured', () => {
  it('follows the config endpoint and the standard OTEL_* variables', () => {
    const off = config().telemetry;
    const on = config('telemetry: { traces: { endpoint: "http://otel-collector:4318" } }').telemetry;
    expect(tracingWanted(off, {})).toBe(false);
    expect(tracingWanted(on, {})).toBe(true);
    expect(tracingWanted(off, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' })).toBe(true);
    expect(tracingWanted(off, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
    expect(tracingWanted(on, { OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingWanted(on, { OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });

  it('rejects a traces endpoint that is not an http(s) URL', () => {
    expect(() => config('telemetry: { traces: { endpoint: "grpc://c:4317" } }')).toThrow(/telemetry\.traces\.endpoint/);
  });
});
