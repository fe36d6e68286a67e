import { createRequire } from 'node:module';
import { Pool } from 'undici';
import type { OpenAIProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../proxy/errors.ts';
import { readAnswer, sendUpstream, type UpstreamReply } from '../upstream-send.ts';
import type { JsonReply, Provider, SseEvent, StreamReply, UpstreamCall } from '../types.ts';
import { parseSse, type SseLimits } from '../sse-parser.ts';
import { withFirst } from '../../proxy/stream-tap.ts';
import { tooLarge } from './bounded-body.ts';
import { CallGuard } from './call-guard.ts';
import { inspectJsonBody, OPENS_WITH_ERROR } from './json-body.ts';
import { upstreamReportedError, upstreamStatusError } from './upstream-errors.ts';

// Any OpenAI-compatible API behind a base URL (OpenAI, Azure, vLLM, Ollama, Groq, ...).
// One undici pool per provider keeps connections warm; everything that can be worked out
// from config (paths, static headers) is worked out once here, not per request.

const USER_AGENT = `tollgate/${(createRequire(import.meta.url)('../../../package.json') as { version: string }).version}`;
// The media type itself, not merely a mention of it (`application/json; x=text/event-stream`).

/** How a complete stream ends: `data: [DONE]`, or (Responses API) a terminal event. */
type StreamEnding = 'done' | 'terminal';
const RESPONSES_TERMINAL = /^response\.(?:completed|incomplete|failed)$/;
// OpenAI writes `type` first in every Responses event; the SSE `event:` name is checked too.
const RESPONSES_TERMINAL_DATA = /^\s*\{\s*"type"\s*:\s*"response\.(?:completed|incomplete|failed)"/;
const RESPONSES_ERROR = /^\s*\{\s*"type"\s*:\s*"error"/;

/**
 * Whether a provider speaks the Responses API itself: as configured, else native for OpenAI's
 * and Azure's own hosts (the only servers known to), translated over chat elsewhere.
 */
export function responsesMode(config: OpenAIProviderConfig): 'native' | 'translate' {
  if (config.responses !== undefined) return config.responses;
  const host = new URL(config.baseUrl).hostname;
  return host === 'api.openai.com' || host.endsWith('.openai.azure.com') ? 'native' : 'translate';
}

type Reply = UpstreamReply;
type ReplyBody = Reply['body'];

export class OpenAIProvider implements Provider {
  readonly kind = 'openai';
  readonly name: string;
  readonly #config: OpenAIProviderConfig;
  readonly #pool: Pool;
  readonly #chatPath: string;
  readonly #embeddingsPath: string;
  readonly #completionsPath: string;
  readonly #moderationsPath: string;
  readonly #responsesPath: string;
  readonly #headers: Record<string, string>;
  readonly #secrets: readonly string[];
  readonly #sseLimits: SseLimits;

  constructor(name: string, config: OpenAIProviderConfig) {
    this.name = name;
    this.#config = config;
    const url = new URL(config.baseUrl);
    const basePath = url.pathname.replace(/\/+$/, '');
    const query = new URLSearchParams(config.query).toString();
    const suffix = query === '' ? '' : `?${query}`;
    this.#chatPath = `${basePath}/chat/completions${suffix}`;
    this.#embeddingsPath = `${basePath}/embeddings${suffix}`;
    this.#completionsPath = `${basePath}/completions${suffix}`;
    this.#moderationsPath = `${basePath}/moderations${suffix}`;
    this.#responsesPath = `${basePath}/responses${suffix}`;
    // Translated providers have no native path: the pipeline then serves the Responses API over chat.
    if (responsesMode(config) === 'translate') this.responses = undefined;
    this.#pool = new Pool(url.origin, {
      connections: config.maxConnections,
      connectTimeout: config.timeouts.connect,
      // First-byte, idle and total deadlines are enforced by CallGuard's own timers.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    const auth: Record<string, string> = {};
    if (config.apiKey !== undefined) {
      if (config.apiKeyHeader.toLowerCase() === 'authorization') auth.authorization = `Bearer ${config.apiKey}`;
      else auth[config.apiKeyHeader.toLowerCase()] = config.apiKey;
    }
    // Configured headers may override the user agent; auth always wins.
    this.#headers = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...lowerKeys(config.headers), ...auth };
    // One event may be as large as a whole non-streaming answer, never larger: some servers
    // send a complete answer (or a whole tool call) as a single event.
    this.#sseLimits = { maxEventBytes: config.maxResponseBytes, tooLarge: () => tooLarge(name, config.maxResponseBytes, 'a stream event') };
    this.#secrets = [config.apiKey, ...Object.values(config.headers)].filter((s): s is string => s !== undefined);
  }

  chat(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply> {
    return this.#call(this.#chatPath, call, stream, 'done');
  }

  completions(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply> {
    return this.#call(this.#completionsPath, call, stream, 'done');
  }

  responses: Provider['responses'] = (call, stream) => this.#call(this.#responsesPath, call, stream, 'terminal');

  embeddings(call: UpstreamCall): Promise<JsonReply> {
    return this.#call(this.#embeddingsPath, call, false, 'done') as Promise<JsonReply>;
  }

  moderations(call: UpstreamCall): Promise<JsonReply> {
    return this.#call(this.#moderationsPath, call, false, 'done') as Promise<JsonReply>;
  }

  /** `ends`: how a complete stream ends: `[DONE]` (chat, completions) or a terminal event (Responses API). */
  async #call(path: string, call: UpstreamCall, stream: boolean, ends: StreamEnding): Promise<JsonReply | StreamReply> {
    const guard = this.#guard(call);
    const { reply, rateLimit } = await this.#send(path, call, guard, stream);
    const answer = stream ? await this.#openStream(reply.body, guard, ends) : await this.#readJson(reply, guard);
    return rateLimit === undefined ? answer : { ...answer, rateLimit };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  destroy(reason: Error): Promise<void> {
    return this.#pool.destroy(reason);
  }

  #guard(call: UpstreamCall): CallGuard {
    return new CallGuard(this.name, call.signal, call.timeouts === undefined ? this.#config.timeouts : { ...this.#config.timeouts, ...call.timeouts });
  }

  /** Sends the request; resolves with a 2xx answer whose shape fits, and the provider's rate-limit headers. */
  #send(path: string, call: UpstreamCall, guard: CallGuard, stream: boolean): ReturnType<typeof sendUpstream> {
    return sendUpstream(this.#pool, {
      provider: this.name,
      path,
      headers: { ...this.#headers, 'x-request-id': call.requestId, ...call.traceHeaders },
      body: call.body,
      stream,
      guard,
      statusError: (status, text, retryAfter) => upstreamStatusError(this.name, status, text, retryAfter, this.#secrets),
      // Some servers report errors in a 2xx body to a streaming request.
      reportedError: (text) => (OPENS_WITH_ERROR.test(text) ? upstreamReportedError(this.name, text, 'body', this.#secrets) : undefined),
    });
  }

  async #readJson(reply: Reply, guard: CallGuard): Promise<JsonReply> {
    const bytes = await readAnswer(reply, guard, this.name, this.#config.maxResponseBytes);
    const { usage, errorText } = inspectJsonBody(bytes, this.name);
    if (errorText !== undefined) throw upstreamReportedError(this.name, errorText, 'body', this.#secrets);
    return { kind: 'json', bytes, usage };
  }

  /** Waits for the first event: the commit point. Until then every failure is a plain error. */
  async #openStream(body: ReplyBody, guard: CallGuard, ends: StreamEnding): Promise<StreamReply> {
    const events = this.#events(body, guard, ends);
    const first = await events.next();
    if (first.done) throw new GatewayError('upstream_error', `Provider "${this.name}" ended the stream before sending anything.`);
    guard.firstByte();
    return { kind: 'stream', events: withFirst(first.value, events) };
  }

  async *#events(body: ReplyBody, guard: CallGuard, ends: StreamEnding): AsyncGenerator<SseEvent, void, undefined> {
    let complete = false;
    try {
      let done = false;
      for await (const event of parseSse(touching(body, guard), this.#sseLimits)) {
        // Keep reading to the end of the body after [DONE] (it is normally right there),
        // so the connection goes back to the pool instead of being torn down.
        if (done) continue;
        if (event.data === '[DONE]') {
          done = true;
          continue;
        }
        if (event.event === 'error' || OPENS_WITH_ERROR.test(event.data) || (ends === 'terminal' && RESPONSES_ERROR.test(event.data))) {
          throw upstreamReportedError(this.name, event.data, 'stream', this.#secrets);
        }
        // The Responses API sends no [DONE]: its terminal event is the last one.
        if (ends === 'terminal' && (RESPONSES_TERMINAL.test(event.event ?? '') || RESPONSES_TERMINAL_DATA.test(event.data))) done = true;
        yield ends === 'terminal' && event.event !== '' ? { event: event.event, data: event.data } : { data: event.data };
      }
      if (!done) {
        const expected = ends === 'done' ? '[DONE]' : 'its final event (response.completed)';
        throw new GatewayError('upstream_error', `Provider "${this.name}" ended the stream without ${expected}: the answer is incomplete.`);
      }
      complete = true;
    } catch (err) {
      throw guard.explain(err, this.name, 'body');
    } finally {
      // Not complete means an error or the consumer stopped early (client gone): cancel upstream.
      guard.finish(!complete);
    }
  }
}

/**
 * Passes body chunks through. The idle clock runs only while the next chunk is awaited: while
 * the consumer holds a chunk (a slow client holding back the stream), the provider is not
 * silent, it is not being asked.
 */
async function* touching(body: ReplyBody, guard: CallGuard): AsyncGenerator<Buffer> {
  guard.resume();
  for await (const chunk of body) {
    guard.pause();
    yield chunk as Buffer;
    guard.resume();
  }
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}
