import type { Usage } from '../metering/usage.ts';
import type { RateLimitSnapshot } from '../router/upstream-headers.ts';

// What every provider adapter offers the pipeline. Adapters speak OpenAI's wire shapes on
// the way out (translation happens inside the adapter), so stages never care which
// provider is behind a target.

/** One server-sent event's data payload, exactly as received (never re-serialised). */
export interface SseEvent {
  readonly data: string;
  /** The SSE event name, for protocols that send one (Anthropic's, the Responses API's); relayed as received. */
  readonly event?: string;
}

export interface UpstreamCall {
  /** The client's request body with the target model set; forwarded untouched otherwise. */
  readonly body: Record<string, unknown>;
  readonly requestId: string;
  /** W3C trace context for this attempt, sent upstream as `traceparent` (and `tracestate`) when set. */
  readonly traceHeaders?: Readonly<Record<string, string>>;
  /** Aborted when the client goes away; the adapter adds its own deadlines. */
  readonly signal: AbortSignal;
  /** This target's overrides of the provider's deadlines (ms); the rest come from its config. */
  readonly timeouts?: { readonly firstByte?: number; readonly idle?: number; readonly total?: number };
}

export interface JsonReply {
  readonly kind: 'json';
  /**
   * The provider's body (a JSON object), exactly as received: relayed as is, never decoded
   * or parsed whole by the gateway, so a large answer is held in memory once.
   */
  readonly bytes: Uint8Array;
  readonly usage: Usage | undefined;
  /** The provider's `x-ratelimit-*` headers, when it sent them (routing steers away from a target near its limit). */
  readonly rateLimit?: RateLimitSnapshot;
}

/**
 * A stream past its commit point: the first event has arrived. Iterating yields data events
 * in order; it ends normally only after the provider's `[DONE]`, and throws a GatewayError
 * on a cut, an error event or a timeout. `return()` cancels the upstream request.
 */
export interface StreamReply {
  readonly kind: 'stream';
  readonly events: AsyncIterable<SseEvent>;
  readonly rateLimit?: RateLimitSnapshot;
}

export interface Provider {
  readonly name: string;
  readonly kind: string;
  /** Before the commit point, failures are thrown as GatewayError. */
  chat(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply>;
  embeddings(call: UpstreamCall): Promise<JsonReply>;
  /** Legacy text completions (`/completions`), relayed as is; absent when the provider cannot serve them. */
  completions?(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply>;
  /** `/moderations`, relayed as is; absent when the provider cannot serve them. */
  moderations?(call: UpstreamCall): Promise<JsonReply>;
  /**
   * The Responses API spoken natively (`/responses`): present only for a provider configured
   * (or defaulted) `responses: native`; others are served by translation to chat. A stream
   * ends normally after its terminal event (`response.completed`, `.incomplete`, `.failed`).
   */
  responses?(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply>;
  /** Waits for in-flight calls, then closes connections. */
  close(): Promise<void>;
  /** Fails every in-flight call with `reason` now and closes connections (drain timeout). */
  destroy(reason: Error): Promise<void>;
}
