// What policies and the trace record on a request's context for telemetry to read at the
// edge. Policies push facts here; nothing on the request path calls a metric directly.

/** What a policy decided about one request (or one tool call within it). */
export interface PolicyVerdict {
  /** The policy's config name, e.g. `injection`, `toolCalls`, `approvals` (a fixed set, never request text). */
  readonly policy: string;
  /** `allow`, `flag` (noted, let through), `block` (refused), `redact`, `invalid` (a tool call that failed validation), `approve` / `deny`. */
  readonly action: 'allow' | 'flag' | 'block' | 'redact' | 'invalid' | 'approve' | 'deny';
  /** `enforce` acts on the verdict; `monitor` only records it. */
  readonly mode: 'enforce' | 'monitor';
  /** Set for a verdict about one proposed tool call: its name (from config or the request's declared tools). */
  readonly tool?: string;
  /** A short reason for the audit log (never a label). */
  readonly reason?: string;
}

/** How the response cache served a request. */
export interface CacheOutcome {
  readonly status: 'hit' | 'miss' | 'bypass';
  /** On a hit: what the upstream call would have cost, in USD. */
  readonly savedUsd?: number;
}

/** One upstream attempt as seen by the tracer. */
export interface AttemptTrace {
  /** The W3C trace headers (`traceparent`, `tracestate`) to send upstream for this attempt. */
  readonly headers: Readonly<Record<string, string>>;
  end(outcome: number | string, error?: unknown): void;
}

/** The request's server span, when tracing is on; the tracer's hooks for upstream attempts. */
export interface RequestTrace {
  attempt(target: { readonly provider: { readonly name: string }; readonly model: string }): AttemptTrace;
}

/** The GenAI operation name of an endpoint: `embeddings`, else `chat` (chat-like surfaces included). */
export function operationOf(endpoint: string): 'chat' | 'embeddings' {
  return endpoint === 'embeddings' ? 'embeddings' : 'chat';
}
