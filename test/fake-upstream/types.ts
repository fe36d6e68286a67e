// Public types of the fake upstream. Kept apart from the server so route files and
// tests can import them without pulling in node:http.

/** How the fake answers one request. Every field is optional; `{}` means "a normal, successful answer". */
export interface Behaviour {
  /** Default 200; any other status answers with the route's error envelope (OpenAI shape for OpenAI routes). */
  status?: number;
  /** Extra response headers, e.g. `{ 'retry-after': '2' }`. */
  headers?: Record<string, string>;
  /**
   * Send exactly this body (malformed JSON, HTML, a hand-written SSE script...). Content type defaults to
   * `text/event-stream` for a 200 answer to a streaming request and to `application/json` otherwise.
   */
  rawBody?: string;
  /**
   * Override the content type. A JSON type on a streaming request makes the fake answer with the
   * non-streaming JSON body (an upstream that ignores `stream`); an event-stream type on a non-streaming
   * request makes it stream. Any other value is only used as the header.
   */
  contentType?: string;
  /** Wait this long before sending headers. */
  latencyMs?: number;
  /** Assistant text; default "Hello from fake upstream." (null content when only tool calls are given). */
  content?: string;
  /** Answer with these tool calls (several = parallel) and finish_reason "tool_calls". */
  toolCalls?: Array<{ name: string; arguments: string }>;
  /** Streaming: split the content (and each tool call's arguments) into this many pieces. Default 4. */
  chunks?: number;
  /** Streaming: delay between consecutive SSE events. */
  chunkDelayMs?: number;
  /** Default: deterministic numbers derived from the request and the answer. */
  usage?: { prompt_tokens: number; completion_tokens: number };
  /**
   * Streaming: close the connection after N data events, never sending [DONE].
   * Non-streaming: send headers (with the full content-length) and half the JSON body, then close.
   */
  cutAfterChunks?: number;
  /** Anthropic routes: prompt-cache tokens reported in usage. */
  cacheTokens?: { read: number; write: number };
  /** Anthropic routes: the stop_reason (default end_turn, or tool_use with tool calls). */
  stopReason?: string;
  /** Streaming: end the response cleanly but never send `data: [DONE]` (Anthropic: `message_stop`). */
  endWithoutDone?: boolean;
  /** Streaming: after N data events send `data: {"error":{...}}` and end (Anthropic: an `error` event, overloaded). */
  errorEventAfterChunks?: number;
  /** Accept the request and never answer; the request is still marked aborted when the client gives up. */
  hang?: boolean;

  // Hostile providers (see hostile.ts): answers far larger than asked for, endless trickles, key echoes.
  /**
   * Answer with a valid 200 JSON body of about `bytes` bytes, written in 64 KB pieces with
   * backpressure (never held whole): a chat completion whose content is filler, or for
   * `shape: 'embeddings'` one long vector. `declareLength: false` sends it chunked.
   * Usage sits at the end, as OpenAI writes it, unless `usage: false`.
   */
  hugeBody?: { bytes: number; shape?: 'chat' | 'embeddings'; declareLength?: boolean; usage?: boolean };
  /**
   * Streaming: one normal event, then a single `data:` line of `bytes` bytes; with
   * `finish` the line ends and the stream completes with [DONE], otherwise it never ends.
   */
  giantSseLine?: { bytes: number; finish?: boolean };
  /**
   * Never finish: a stream repeats content events every `chunkDelayMs` (default 50); a JSON
   * answer sends its headers and then one byte of padding every `chunkDelayMs`.
   */
  endless?: boolean;
  /**
   * Streaming: `events` content events of about `eventBytes` each, built as they are sent
   * (with backpressure), then a finish event and [DONE]: a long answer that costs the fake nothing.
   */
  bigStream?: { events: number; eventBytes: number };
  /** Non-streaming: split the JSON body into this many writes, `chunkDelayMs` apart. */
  bodyPieces?: number;
  /** Streaming: after `data: [DONE]`, wait this long before ending the response. */
  afterDoneDelayMs?: number;
  /**
   * Answer `status` (default 400) with an OpenAI error whose message quotes the request's own
   * API key: exactly, lower-cased, upper-cased, or only its first `prefix` characters.
   */
  echoKey?: { as: 'exact' | 'lower' | 'upper' | 'prefix'; prefix?: number };
}

export interface RecordedRequest {
  method: string;
  /** Path including any query string, as received. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, the raw string when it is not JSON, or undefined for an empty body. */
  body: any;
  /** True when the client closed the connection before the response finished. */
  aborted: boolean;
  /** Which TCP connection carried the request (1, 2, ... in order of connection), to see reuse. */
  connection: number;
}

export interface FakeUpstream {
  /** Base URL including /v1, e.g. http://127.0.0.1:41234/v1 */
  url: string;
  port: number;
  /** Every request received, in arrival order (empty when started with `record: false`). */
  requests: RecordedRequest[];
  /** TCP connections accepted so far (not cleared by reset). */
  readonly connections: number;
  /** The next `times` chat/embeddings requests use `b` (FIFO), then the default applies again. */
  enqueue(b: Behaviour, times?: number): void;
  setDefault(b: Behaviour): void;
  /**
   * Resolves with the oldest aborted request not yet handed to an earlier call (so an abort that
   * happened before the call still counts); rejects after `timeoutMs` (default 5000).
   */
  waitForAbort(timeoutMs?: number): Promise<RecordedRequest>;
  /** Clear queue, default behaviour, recorded requests and unclaimed aborts. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeUpstreamOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Keep RecordedRequests (default true). The benchmark turns this off so memory stays flat. */
  record?: boolean;
}
