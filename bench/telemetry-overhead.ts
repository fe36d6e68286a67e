// Cost of telemetry per request, measured on the edge observer alone (no network): what
// the logRequest stage adds for a served chat request with metrics and traces off (the
// default audit-only observer), with metrics on, and with no observer at all.
// Run: npx node bench/telemetry-overhead.ts

import type { IncomingMessage } from 'node:http';
import pino from 'pino';
import { hashKey } from '../src/config/keys.ts';
import { parseConfig } from '../src/config/load.ts';
import { newRequestCtx, type RequestCtx } from '../src/proxy/context.ts';
import type { ResolvedTarget } from '../src/router/model-table.ts';
import { connectState } from '../src/state/shared-state.ts';
import { createTelemetry, type RequestObserver } from '../src/telemetry/telemetry.ts';

const N = 200_000;
const silent = pino({ level: 'silent' });
const yaml = (metrics: boolean) => `
telemetry: { metrics: ${metrics} }
providers: { mock: { kind: mock } }
models: { a: { targets: [{ provider: mock, model: m1 }] } }
tenants: { t: { keys: ["${hashKey('k')}"], models: [a] } }
`;

function ctx(): RequestCtx {
  const c = newRequestCtx('r', 'chat', { headers: {} } as IncomingMessage, new AbortController().signal);
  c.tenant = { name: 't' } as RequestCtx['tenant'];
  c.alias = 'a';
  c.target = { provider: { name: 'mock' }, model: 'm1' } as ResolvedTarget;
  c.attempts.push({ target: 'mock/m1', outcome: 200 });
  c.firstByteMs = 3;
  c.upstreamMs = 2.5;
  c.usage = { promptTokens: 20, completionTokens: 10, totalTokens: 30, source: 'upstream' };
  c.costUsd = 0.0001;
  return c;
}

function measure(observer: RequestObserver | undefined): number {
  const contexts = Array.from({ length: 1000 }, ctx);
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      const c = contexts[i % contexts.length]!;
      observer?.begin(c);
      observer?.finish(c, { status: 200, code: undefined }, undefined);
    }
  };
  run(N / 4); // warm-up
  const started = process.hrtime.bigint();
  run(N);
  return Number(process.hrtime.bigint() - started) / N;
}

const off = await createTelemetry(parseConfig(yaml(false), 'b.yaml', {}).config, silent, connectState({ kind: 'memory' }, silent));
const on = await createTelemetry(parseConfig(yaml(true), 'b.yaml', {}).config, silent, connectState({ kind: 'memory' }, silent));
const none = measure(undefined);
const disabled = measure(off.observer);
const enabled = measure(on.observer);
console.log(`per request: no observer ${none.toFixed(1)} ns, metrics off ${disabled.toFixed(1)} ns, metrics on ${enabled.toFixed(1)} ns`);
await off.close();
await on.close();
