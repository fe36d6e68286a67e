import type { TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TelemetryConfig } from '../config/schema.ts';
import { RequestTracer } from './request-tracer.ts';

// Traces are off unless an OTLP endpoint is configured (`telemetry.traces.endpoint`) or
// given by the standard variables (OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none
// turn them off). The SDK is loaded only then, so a gateway without tracing never pays
// for it. No auto-instrumentation: the gateway makes its own spans.

export interface Tracing {
  readonly tracer: RequestTracer;
  /** Flushes pending spans and stops the exporter. */
  shutdown(): Promise<void>;
}

export function tracingWanted(config: TelemetryConfig, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return config.traces.endpoint !== undefined || Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) || Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Starts the OpenTelemetry Node SDK with an OTLP/HTTP exporter, or uses the given provider (tests). */
export async function startTracing(config: TelemetryConfig, logger: Logger, provider?: TracerProvider): Promise<Tracing | undefined> {
  if (provider === undefined && !tracingWanted(config)) return undefined;
  const { core } = await import('@opentelemetry/sdk-node');
  const propagator: TextMapPropagator = new core.W3CTraceContextPropagator();
  if (provider !== undefined) {
    return { tracer: new RequestTracer(provider.getTracer('tollgate'), propagator, config.content), shutdown: async () => {} };
  }
  const { NodeSDK, resources } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { trace } = await import('@opentelemetry/api');
  const endpoint = config.traces.endpoint;
  // Config wins; otherwise the exporter reads the OTEL_* variables itself.
  const exporter = new OTLPTraceExporter(endpoint === undefined ? {} : { url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  const sdk = new NodeSDK({
    traceExporter: exporter,
    instrumentations: [],
    resource: resources.resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME ?? 'tollgate' }),
  });
  sdk.start();
  logger.info({ endpoint: endpoint ?? process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing on: OTLP/HTTP');
  return {
    tracer: new RequestTracer(trace.getTracer('tollgate'), propagator, config.content),
    shutdown: () => sdk.shutdown().catch((err: Error) => logger.warn({ err: err.message }, 'trace exporter shutdown failed')),
  };
}
