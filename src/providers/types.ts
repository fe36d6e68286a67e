import type { Usage } from '../metering/usage.ts';

// What every provider adapter offers the pipeline. Adapters speak OpenAI's wire shapes on
// the way out (translation happens inside the adapter), so stages never care which
// provider is behind a target.

/** One server-sent event's data payload, exactly as received (never re-serialised). */
export interface SseEvent {
  readonly data: string;
}

export interface UpstreamCall {
  /** The client's request body with the target model set; forwarded untouched otherwise. */
  readonly body: Record<string, unknown>;
  readonly requestId: string;
  /** Aborted when the client goes away; the adapter adds its own deadlines. */
  readonly signal: AbortSignal;
}

export interface JsonReply {
  readonly kind: 'json';
  /**
   * The provider's body (a JSON object), exactly as received: relayed as is, never decoded
   * or parsed whole by the gateway, so a large answer is held in memory once.
   */
  readonly bytes: Uint8Array;
  readonly usage: Usage | undefined;
}

/**
 * A stream past its commit point: the first event has arrived. Iterating yields data events
 * in order; it ends normally only after the provider's `[DONE]`, and throws a GatewayError
 * on a cut, an error event or a timeout. `return()` cancels the upstream request.
 */
export interface StreamReply {
  readonly kind: 'stream';
  readonly events: AsyncIterable<SseEvent>;
}

export interface Provider {
  readonly name: string;
  readonly kind: string;
  /** Before the commit point, failures are thrown as GatewayError. */
  chat(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply>;
  embeddings(call: UpstreamCall): Promise<JsonReply>;
  /** Waits for in-flight calls, then closes connections. */
  close(): Promise<void>;
  /** Fails every in-flight call with `reason` now and closes connections (drain timeout). */
  destroy(reason: Error): Promise<void>;
}
