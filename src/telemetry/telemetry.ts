import type { TracerProvider } from '@opentelemetry/api';
import type pino from 'pino';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { RequestCtx } from '../proxy/context.ts';
import type { SharedState } from '../state/shared-state.ts';
import { openAuditLog, type AuditLog } from './audit-log.ts';
import type { Metrics } from './metrics.ts';
import { recordRequest, type RequestOutcome } from './record-request.ts';
import type { ServerSpan } from './request-tracer.ts';
import { startTracing, type Tracing } from './tracing.ts';

// Metrics, traces and the audit log, built once at start. The request path meets them in
// one place: the observer the logRequest stage calls when a request begins, when a stream
// starts, and when the response is over. With metrics and traces off there is no observer
// at all, so telemetry costs nothing per request.

/** What the edge of the pipeline tells telemetry. */
export interface RequestObserver {
  begin(ctx: RequestCtx): void;
  streaming(ctx: RequestCtx): void;
  /** `answer`: a JSON answer's bytes (for finish reasons, and content when opted in). */
  finish(ctx: RequestCtx, outcome: RequestOutcome, answer: Uint8Array | undefined): void;
}

export interface TelemetryOptions {
  /** Spans go to this provider instead of an OTLP exporter (tests use an in-memory one). */
  readonly tracerProvider?: TracerProvider;
  /** Audit lines go here instead of `telemetry.audit.path`. */
  readonly auditDestination?: pino.DestinationStream;
}

export interface Telemetry {
  /** Undefined with `telemetry.metrics: false`. */
  readonly metrics: Metrics | undefined;
  readonly observer: RequestObserver | undefined;
  /** For audit lines: tool calls proposed, policy decisions. */
  readonly audit: Logger;
  close(): Promise<void>;
}

export async function createTelemetry(config: Config, logger: Logger, state: SharedState, options: TelemetryOptions = {}): Promise<Telemetry> {
  const metrics = config.telemetry.metrics ? (await import('./metrics.ts')).createMetrics() : undefined;
  const tracing = await startTracing(config.telemetry, logger, options.tracerProvider);
  const audit = openAuditLog(config.telemetry, logger, options.auditDestination);
  if (metrics !== undefined) {
    state.observer = (what, ms, ok) => {
      metrics.stateDuration.observe({ operation: what }, ms / 1000);
      if (!ok) metrics.stateErrors.inc({ operation: what });
    };
  }
  const aliases = new Set(Object.keys(config.models));
  const wanted = metrics !== undefined || tracing !== undefined;
  return {
    metrics,
    observer: wanted ? edgeObserver(metrics, tracing, audit, aliases) : auditOnly(audit),
    audit: audit.logger,
    async close() {
      await tracing?.shutdown();
      await audit.close();
    },
  };
}

function edgeObserver(metrics: Metrics | undefined, tracing: Tracing | undefined, audit: AuditLog, aliases: ReadonlySet<string>): RequestObserver {
  const spans = new WeakMap<RequestCtx, ServerSpan>();
  const streams = new WeakSet<RequestCtx>();
  return {
    begin(ctx) {
      if (tracing === undefined) return;
      const span = tracing.tracer.begin(ctx);
      spans.set(ctx, span);
      ctx.trace = span;
    },
    streaming(ctx) {
      if (metrics === undefined) return;
      streams.add(ctx);
      metrics.inflightStreams.inc();
    },
    finish(ctx, outcome, answer) {
      if (metrics !== undefined) {
        if (streams.delete(ctx)) metrics.inflightStreams.dec();
        recordRequest(metrics, aliases, ctx, outcome);
      }
      spans.get(ctx)?.end(ctx, outcome, answer);
      auditVerdicts(audit.logger, ctx);
    },
  };
}

/** Metrics and traces off: only policy verdicts are written, and only when there are some. */
function auditOnly(audit: AuditLog): RequestObserver {
  return {
    begin() {},
    streaming() {},
    finish(ctx) {
      auditVerdicts(audit.logger, ctx);
    },
  };
}

function auditVerdicts(audit: Logger, ctx: RequestCtx): void {
  for (const v of ctx.verdicts) {
    audit.info({ audit: 'policy', reqId: ctx.id, tenant: ctx.tenant?.name, runId: ctx.runId, policy: v.policy, action: v.action, mode: v.mode, tool: v.tool, reason: v.reason }, 'policy decision');
  }
}
