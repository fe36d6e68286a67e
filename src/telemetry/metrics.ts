import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FIRST_TOKEN_SECONDS, OVERHEAD_SECONDS, PER_OUTPUT_TOKEN_SECONDS, REQUEST_SECONDS, STATE_STORE_SECONDS, TOKENS } from './buckets.ts';

// Every metric Tollgate exports, in one registry. GenAI metrics carry the OpenTelemetry
// semantic-convention names in Prometheus form; Tollgate's own start with `tollgate_`.
// Label values come from config (tenants, aliases, providers, targets) or fixed enums only.
// Loaded on demand (telemetry.ts imports it only with `telemetry.metrics: true`): prom-client
// takes a noticeable time to load, which a gateway without metrics, or the CLI checking a
// config, should not pay.

const GEN_AI = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_response_model', 'tenant', 'alias'] as const;

export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    /** For gauges read at scrape time (collected-gauges.ts), without a second static import of prom-client. */
    Gauge,
    tokenUsage: new Histogram({
      name: 'gen_ai_client_token_usage',
      help: 'Tokens used per request, by type (input or output).',
      labelNames: [...GEN_AI, 'gen_ai_token_type'],
      buckets: TOKENS,
      registers,
    }),
    requestDuration: new Histogram({
      name: 'gen_ai_server_request_duration_seconds',
      help: 'Time from request arrival to the last byte of a served answer.',
      labelNames: GEN_AI,
      buckets: REQUEST_SECONDS,
      registers,
    }),
    timeToFirstToken: new Histogram({
      name: 'gen_ai_server_time_to_first_token_seconds',
      help: 'Time from request arrival to the first upstream byte (streams: the first event).',
      labelNames: GEN_AI,
      buckets: FIRST_TOKEN_SECONDS,
      registers,
    }),
    timePerOutputToken: new Histogram({
      name: 'gen_ai_server_time_per_output_token_seconds',
      help: 'Time per output token after the first, for streamed answers.',
      labelNames: GEN_AI,
      buckets: PER_OUTPUT_TOKEN_SECONDS,
      registers,
    }),
    requests: new Counter({
      name: 'tollgate_requests_total',
      help: 'Requests answered, by final status and error code (empty on success).',
      labelNames: ['endpoint', 'tenant', 'alias', 'status', 'code', 'stream'],
      registers,
    }),
    cost: new Counter({
      name: 'tollgate_cost_usd_total',
      help: 'What served requests cost in USD (unpriced models count 0).',
      labelNames: ['tenant', 'alias', 'provider', 'model'],
      registers,
    }),
    overhead: new Histogram({
      name: 'tollgate_gateway_overhead_seconds',
      help: 'Time spent in the gateway outside upstream calls (streams: up to their first event).',
      labelNames: ['endpoint', 'stream'],
      buckets: OVERHEAD_SECONDS,
      registers,
    }),
    attempts: new Counter({
      name: 'tollgate_upstream_attempts_total',
      help: 'Upstream attempts per target, by outcome (an HTTP status, or open/busy/limited/small when skipped).',
      labelNames: ['target', 'outcome'],
      registers,
    }),
    retries: new Counter({ name: 'tollgate_retries_total', help: 'Requests sent again to the same target after a failure.', labelNames: ['target'], registers }),
    fallbacks: new Counter({
      name: 'tollgate_fallbacks_total',
      help: 'Moves from one target to the next in an alias\'s fallback order.',
      labelNames: ['alias', 'from', 'to'],
      registers,
    }),
    cacheRequests: new Counter({ name: 'tollgate_cache_requests_total', help: 'Response cache lookups by result.', labelNames: ['tenant', 'alias', 'result'], registers }),
    cacheSaved: new Counter({ name: 'tollgate_cache_saved_usd_total', help: 'USD the cache saved (cost of the calls it answered).', labelNames: ['tenant', 'alias'], registers }),
    verdicts: new Counter({
      name: 'tollgate_policy_verdicts_total',
      help: 'Policy decisions by policy, action and mode.',
      labelNames: ['tenant', 'policy', 'action', 'mode'],
      registers,
    }),
    runGuardStops: new Counter({
      name: 'tollgate_run_guard_stops_total',
      help: 'Agent-run steps refused by run guards (run_budget_exceeded, agent_loop_detected).',
      labelNames: ['tenant', 'code'],
      registers,
    }),
    runSteps: new Counter({ name: 'tollgate_run_steps_total', help: 'Agent-run steps admitted.', labelNames: ['tenant'], registers }),
    runsStarted: new Counter({ name: 'tollgate_runs_started_total', help: 'Agent runs started (first step admitted).', labelNames: ['tenant'], registers }),
    runTokens: new Counter({ name: 'tollgate_run_tokens_total', help: 'Tokens used by agent-run steps.', labelNames: ['tenant'], registers }),
    runCost: new Counter({ name: 'tollgate_run_cost_usd_total', help: 'USD spent by agent-run steps.', labelNames: ['tenant'], registers }),
    runStepDuration: new Histogram({
      name: 'tollgate_run_step_duration_seconds',
      help: 'Duration of agent-run steps (a run\'s duration is the sum over its steps plus tool time).',
      labelNames: ['tenant'],
      buckets: REQUEST_SECONDS,
      registers,
    }),
    toolCalls: new Counter({
      name: 'tollgate_tool_calls_total',
      help: 'Proposed tool calls a policy judged, by action (invalid and block count as failures).',
      labelNames: ['tenant', 'action'],
      registers,
    }),
    stateDuration: new Histogram({
      name: 'tollgate_state_store_duration_seconds',
      help: 'Shared state (Redis) operation latency.',
      labelNames: ['operation'],
      buckets: STATE_STORE_SECONDS,
      registers,
    }),
    stateErrors: new Counter({ name: 'tollgate_state_store_errors_total', help: 'Shared state operations that could not reach Redis.', labelNames: ['operation'], registers }),
    inflightStreams: new Gauge({ name: 'tollgate_inflight_streams', help: 'Streams being relayed now.', registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
