import { createRequire } from 'node:module';
import { Pool } from 'undici';
import type { AnthropicProviderConfig } from '../../config/schema.ts';
import { jsonOfBytes } from '../../proxy/answer-json.ts';
import { GatewayError } from '../../proxy/errors.ts';
import { readAnswer, sendUpstream, type UpstreamReply } from '../upstream-send.ts';
import { withFirst } from '../../proxy/stream-tap.ts';
import { tooLarge } from '../openai/bounded-body.ts';
import { CallGuard } from '../openai/call-guard.ts';
import { parseSse, type ParsedEvent, type SseLimits } from '../sse-parser.ts';
import type { JsonReply, Provider, SseEvent, StreamReply, UpstreamCall } from '../types.ts';
import { anthropicReportedError, anthropicStatusError } from './errors.ts';
import { toMessagesRequest } from './request.ts';
import { toChatCompletion } from './response.ts';
import { toChatChunks } from './stream.ts';
import { usageOf } from './usage.ts';

// Anthropic's Messages API behind the OpenAI-shaped Provider interface: requests are
// translated on the way out and answers on the way back, so stages and clients see an
// ordinary chat completion. Bounded reads, deadlines and secret scrubbing are the ones the
// OpenAI adapter uses.

const USER_AGENT = `tollgate/${(createRequire(import.meta.url)('../../../package.json') as { version: string }).version}`;

type Reply = UpstreamReply;

export class AnthropicProvider implements Provider {
  readonly kind = 'anthropic';
  readonly name: string;
  readonly #config: AnthropicProviderConfig;
  readonly #pool: Pool;
  readonly #path: string;
  readonly #headers: Record<string, string>;
  readonly #secrets: readonly string[];
  readonly #sseLimits: SseLimits;

  constructor(name: string, config: AnthropicProviderConfig) {
    this.name = name;
    this.#config = config;
    const url = new URL(config.baseUrl);
    this.#path = `${url.pathname.replace(/\/+$/, '')}/v1/messages`;
    this.#pool = new Pool(url.origin, { connections: config.maxConnections, connectTimeout: config.timeouts.connect, headersTimeout: 0, bodyTimeout: 0 });
    const fixed: Record<string, string> = { 'anthropic-version': config.version };
    if (config.betas.length > 0) fixed['anthropic-beta'] = config.betas.join(',');
    if (config.apiKey !== undefined) fixed['x-api-key'] = config.apiKey;
    // Configured headers may override the user agent; the key and version always win.
    this.#headers = { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...lowerKeys(config.headers), ...fixed };
    this.#sseLimits = { maxEventBytes: config.maxResponseBytes, tooLarge: () => tooLarge(name, config.maxResponseBytes, 'a stream event') };
    this.#secrets = [config.apiKey, ...Object.values(config.headers)].filter((s): s is string => s !== undefined);
  }

  async chat(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply> {
    // Translated before anything is sent: a request Anthropic cannot express is the client's 400.
    const request = toMessagesRequest(call.body, { model: String(call.body.model), maxTokens: this.#config.maxTokens });
    if (stream) request.stream = true;
    else delete request.stream;
    const guard = new CallGuard(this.name, call.signal, call.timeouts === undefined ? this.#config.timeouts : { ...this.#config.timeouts, ...call.timeouts });
    const { reply, rateLimit } = await this.#send(request, call, guard, stream);
    const answer = stream ? await this.#openStream(reply, guard) : await this.#readJson(reply, guard);
    return rateLimit === undefined ? answer : { ...answer, rateLimit };
  }

  async embeddings(): Promise<JsonReply> {
    throw new GatewayError('invalid_request', `Provider "${this.name}" (Anthropic) has no embeddings endpoint.`, { param: 'model' });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  destroy(reason: Error): Promise<void> {
    return this.#pool.destroy(reason);
  }

  #send(request: Record<string, unknown>, call: UpstreamCall, guard: CallGuard, stream: boolean): ReturnType<typeof sendUpstream> {
    return sendUpstream(this.#pool, {
      provider: this.name,
      path: this.#path,
      headers: { ...this.#headers, 'x-request-id': call.requestId, ...call.traceHeaders },
      body: request,
      stream,
      guard,
      statusError: (status, text, retryAfter) => anthropicStatusError(this.name, status, text, retryAfter, this.#secrets),
      reportedError: (text) => (/^\s*\{\s*"type"\s*:\s*"error"/.test(text) ? anthropicReportedError(this.name, text, 'body', this.#secrets) : undefined),
    });
  }

  async #readJson(reply: Reply, guard: CallGuard): Promise<JsonReply> {
    const bytes = await readAnswer(reply, guard, this.name, this.#config.maxResponseBytes);
    // The answer is bounded by maxResponseBytes; it has to be parsed to be translated.
    const message = parseObject(bytes);
    if (message === undefined) throw new GatewayError('upstream_error', `Provider "${this.name}" answered with a body that is not a JSON object.`);
    if (message.type === 'error') throw anthropicReportedError(this.name, bytes.toString('utf8'), 'body', this.#secrets);
    if (message.type !== 'message') throw new GatewayError('upstream_error', `Provider "${this.name}" answered with something other than a message.`);
    const { completion, usage } = toChatCompletion(message);
    return { kind: 'json', bytes: Buffer.from(JSON.stringify(completion)), usage: usageOf(usage) };
  }

  /**
   * The commit point is the first chunk after message_start: Anthropic may send an
   * overloaded `error` event right after message_start, and until content has arrived
   * such a failure can still go to another attempt instead of to the client.
   */
  async #openStream(reply: Reply, guard: CallGuard): Promise<StreamReply> {
    const events = toChatChunks(this.#events(reply, guard), { provider: this.name, secrets: this.#secrets })[Symbol.asyncIterator]();
    let start;
    let first;
    try {
      start = await events.next();
      if (!start.done) first = await events.next();
    } catch (err) {
      await events.return?.(undefined);
      throw err;
    }
    if (start.done || first === undefined || first.done) {
      throw new GatewayError('upstream_error', `Provider "${this.name}" ended the stream before sending anything.`);
    }
    guard.firstByte();
    return { kind: 'stream', events: withFirst(start.value, withFirst(first.value, events)) };
  }

  /** The provider's events, bounded; the call is cancelled unless the body was read to its end. */
  async *#events(reply: Reply, guard: CallGuard): AsyncGenerator<ParsedEvent, void, undefined> {
    let complete = false;
    try {
      yield* parseSse(touching(reply.body, guard), this.#sseLimits);
      complete = true;
    } catch (err) {
      throw guard.explain(err, this.name, 'body');
    } finally {
      guard.finish(!complete);
    }
  }
}

/** The idle clock runs only while the provider is being waited for (see the OpenAI adapter). */
async function* touching(body: Reply['body'], guard: CallGuard): AsyncGenerator<Buffer> {
  guard.resume();
  for await (const chunk of body) {
    guard.pause();
    yield chunk as Buffer;
    guard.resume();
  }
}

function parseObject(bytes: Buffer): Record<string, unknown> | undefined {
  const value = jsonOfBytes(bytes);
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}
