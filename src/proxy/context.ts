import type { IncomingMessage } from 'node:http';
import type { Usage } from '../metering/usage.ts';
import type { JsonReply, SseEvent, StreamReply, UpstreamCall } from '../providers/types.ts';
import type { RoutingDecision } from '../router/decide-side.ts';
import type { Attempt } from '../router/attempts.ts';
import type { ResolvedTarget, RoutePlan } from '../router/model-table.ts';
import type { CacheOutcome, PolicyVerdict, RequestTrace } from '../telemetry/request-facts.ts';
import type { GatewayError } from './errors.ts';
import type { SseWire } from './sse-writer.ts';
import type { Tenant } from './tenants.ts';

// The typed state one request carries through the pipeline. Stages fill in their part;
// nothing is kept in string-keyed bags.

export type Endpoint = 'chat' | 'embeddings' | 'completions' | 'moderations';

/**
 * A client protocol some targets speak themselves (the Responses API). The request is
 * translated to the normalised chat request every stage sees; a target that speaks the
 * protocol is instead called with the client's own body (`model` set), and its answer is
 * relayed as received.
 */
export interface NativeSurface {
  speaks(target: ResolvedTarget): boolean;
  /**
   * Calls a target that `speaks` the protocol (`call.body` is the normalised chat body after
   * every stage); undefined for one that does not: it is sent `call.body` as chat. Throws a
   * 400 for a request that uses what only a native target can do.
   */
  call(target: ResolvedTarget, call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply> | undefined;
  /** Watches a native stream for its usage (the gateway meters it like any other). */
  relayStream(events: AsyncIterable<SseEvent>): { readonly events: AsyncIterable<SseEvent>; readonly usage: Promise<Usage> };
}

/** The API shape the client speaks: only parsing and rendering differ, the pipeline is one. */
export type Surface = 'openai' | 'anthropic' | 'responses';

export interface RequestCtx {
  readonly id: string;
  readonly endpoint: Endpoint;
  /**
   * The API the client spoke: `openai` (chat, embeddings, completions, moderations),
   * `anthropic` (/v1/messages) or `responses` (/v1/responses). Errors and streams are
   * rendered in its form; every stage in between sees the normalised request.
   */
  surface: Surface;
  /** Set by a surface whose protocol some targets speak natively. */
  native: NativeSurface | undefined;
  /** The served target was called natively: its answer is already in the client's protocol. */
  servedNative: boolean;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  readonly incoming: IncomingMessage;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;

  tenant: Tenant | undefined;
  /** The parsed request body, never copied: forwarded upstream as is, except where a stage says (callUpstream sets `model`). */
  body: Record<string, unknown> | undefined;
  alias: string | undefined;
  /** Set by `chooseSide` for a router alias: the alias asked for, the side chosen and why. */
  routing: RoutingDecision | undefined;
  stream: boolean;
  /** The client asked for `stream_options.include_usage`; upstream is always asked. */
  clientWantsUsage: boolean;
  /** The agent-run id the request carries (`server.runIdHeader`), validated. */
  runId: string | undefined;
  /** Set by `route`: every target the request may be sent to (budgets price the worst of them). */
  plan: RoutePlan | undefined;
  /** The target being called, or that answered. */
  target: ResolvedTarget | undefined;
  /** Each target tried (or skipped) by the fallback loop, and how it went. */
  readonly attempts: Attempt[];

  usage: Usage | undefined;
  /** What the call cost in USD (the served target's price over `usage`); 0 when unpriced. */
  costUsd: number | undefined;
  /** False when the served model has no known price (`costUsd` is then 0 and not to be trusted). */
  priced: boolean | undefined;
  /** ms from arrival to the first upstream byte (for streams: the commit point). */
  firstByteMs: number | undefined;
  /** ms spent inside upstream calls (every attempt, up to the answer; for streams, the commit point). */
  upstreamMs: number;
  /** The agent-run step this request is (set by `guardRun`). */
  runStep: number | undefined;
  /** What each policy decided, in order; telemetry counts them and writes them to the audit log. */
  readonly verdicts: PolicyVerdict[];
  /** What the response cache did: served it (hit, with the cost saved), stored or tried to (miss), or stayed out (bypass); undefined when off. */
  cache: CacheOutcome | undefined;
  /** The request's trace, when tracing is on (set at the edge; used for upstream attempts). */
  trace: RequestTrace | undefined;
  /** The error that ended the request, as JSON or as a stream's error event. */
  error: GatewayError | undefined;
  /** The client went away before the response was complete. */
  clientGone: boolean;
  /** Headers stages add to the response, JSON or stream (x-tollgate-*, x-ratelimit-*). */
  readonly responseHeaders: Record<string, string>;
}

export function newRequestCtx(id: string, endpoint: Endpoint, incoming: IncomingMessage, signal: AbortSignal, surface: Surface = 'openai'): RequestCtx {
  return {
    id,
    endpoint,
    surface,
    native: undefined,
    servedNative: false,
    startedAt: performance.now(),
    incoming,
    signal,
    tenant: undefined,
    body: undefined,
    alias: undefined,
    routing: undefined,
    stream: false,
    clientWantsUsage: false,
    runId: undefined,
    plan: undefined,
    target: undefined,
    attempts: [],
    usage: undefined,
    costUsd: undefined,
    priced: undefined,
    firstByteMs: undefined,
    upstreamMs: 0,
    runStep: undefined,
    verdicts: [],
    cache: undefined,
    trace: undefined,
    error: undefined,
    clientGone: false,
    responseHeaders: {},
  };
}

export interface JsonResult {
  readonly kind: 'json';
  readonly status: number;
  readonly body: unknown;
  /** The body already serialised (the provider's bytes), sent as is in place of `body`. */
  readonly bytes?: Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface StreamResult {
  readonly kind: 'stream';
  /** Data events for the client. Ends normally only on success; throws on failure. */
  readonly events: AsyncIterable<SseEvent>;
  /** Settles when the stream has ended, however it ended. */
  readonly usage: Promise<Usage>;
  /** How the stream ends and how an error is written; OpenAI's (`[DONE]`, its envelope) when unset. */
  readonly wire?: SseWire;
}

export type Result = JsonResult | StreamResult;

export type Next = () => Promise<Result>;
export type Stage = (ctx: RequestCtx, next: Next) => Promise<Result>;
