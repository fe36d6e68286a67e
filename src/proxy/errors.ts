// The one error catalog. Every error a client can see is built here, so status, type and
// code stay consistent across paths and clients can branch on `code`.

export const ERROR_CATALOG = {
  invalid_api_key: { status: 401, type: 'authentication_error' },
  invalid_request: { status: 400, type: 'invalid_request_error' },
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_content_type: { status: 400, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  model_unavailable: { status: 503, type: 'service_unavailable_error' },
  upstream_error: { status: 502, type: 'api_error' },
  upstream_auth_failed: { status: 502, type: 'api_error' },
  upstream_unavailable: { status: 503, type: 'service_unavailable_error' },
  upstream_rate_limited: { status: 429, type: 'rate_limit_error' },
  upstream_timeout: { status: 504, type: 'timeout_error' },
  shutting_down: { status: 503, type: 'service_unavailable_error' },
  internal_error: { status: 500, type: 'api_error' },
  // Hardening: hostile clients and upstreams.
  method_not_allowed: { status: 405, type: 'invalid_request_error' },
  request_timeout: { status: 408, type: 'invalid_request_error' },
  upstream_response_too_large: { status: 502, type: 'api_error' },
  // Routing and resilience.
  context_length_exceeded: { status: 400, type: 'invalid_request_error' },
  gateway_overloaded: { status: 503, type: 'service_unavailable_error' },
  // Budgets, limits and agent-run guards.
  budget_exceeded: { status: 429, type: 'insufficient_quota' },
  rate_limited: { status: 429, type: 'rate_limit_error' },
  run_budget_exceeded: { status: 429, type: 'rate_limit_error' },
  agent_loop_detected: { status: 429, type: 'rate_limit_error' },
  state_unavailable: { status: 503, type: 'service_unavailable_error' },
  // Human approval of tool calls.
  approval_already_decided: { status: 409, type: 'invalid_request_error' },
  // Idempotency-Key.
  idempotency_key_reused: { status: 422, type: 'invalid_request_error' },
  idempotency_in_progress: { status: 409, type: 'invalid_request_error' },
  // Surfaces: a feature the served target cannot do (hosted tools, background responses ...).
  unsupported_feature: { status: 400, type: 'invalid_request_error' },
  // Tool calls: permissions and schema validation.
  tool_not_allowed: { status: 403, type: 'permission_error' },
  invalid_tool_call: { status: 502, type: 'api_error' },
  // Guardrails.
  prompt_blocked: { status: 400, type: 'invalid_request_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface ErrorEnvelope {
  error: { message: string; type: string; param: string | null; code: string };
}

/** What the provider's answer said, for the fallback loop (never shown to clients as is). */
export interface UpstreamFacts {
  /** The provider's HTTP status, when it answered with one. */
  readonly status?: number;
  /** How long the provider asked us to wait (`retry-after-ms`, or `Retry-After` in ms). */
  readonly retryAfterMs?: number;
}

interface GatewayErrorOptions {
  param?: string | null;
  /** Seconds, relayed as `Retry-After` (upstream rate limits). */
  retryAfter?: string;
  /** Upstream 4xx the request caused: relay the provider's own status, type and code. */
  relayed?: { status: number; type: string; code: string };
  upstream?: UpstreamFacts;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly param: string | null;
  readonly retryAfter: string | undefined;
  readonly relayed: GatewayErrorOptions['relayed'];
  readonly upstream: UpstreamFacts | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.param = options.param ?? null;
    this.retryAfter = options.retryAfter;
    this.relayed = options.relayed;
    this.upstream = options.upstream;
  }

  /** The same error with some parts replaced (errors are immutable once thrown). */
  with(changes: { message?: string; upstream?: UpstreamFacts; retryAfter?: string }): GatewayError {
    return new GatewayError(this.code, changes.message ?? this.message, {
      param: this.param,
      retryAfter: changes.retryAfter ?? this.retryAfter,
      relayed: this.relayed,
      upstream: changes.upstream ?? this.upstream,
      cause: this.cause,
    });
  }

  get status(): number {
    return this.relayed?.status ?? ERROR_CATALOG[this.code].status;
  }

  /** The code the client sees: the provider's for relayed request errors, ours otherwise. */
  get publicCode(): string {
    return this.relayed?.code ?? this.code;
  }

  toEnvelope(): ErrorEnvelope {
    return {
      error: {
        message: this.message,
        type: this.relayed?.type ?? ERROR_CATALOG[this.code].type,
        param: this.param,
        code: this.publicCode,
      },
    };
  }
}

/** Any thrown value becomes a GatewayError; unknown failures are internal and say nothing. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  return new GatewayError('internal_error', 'The gateway hit an internal error.', { cause: err });
}
