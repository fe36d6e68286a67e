import { createRequire } from 'node:module';
import { Pool } from 'undici';
import type { OpenAIProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../proxy/errors.ts';
import { usageFromOpenAI } from '../../metering/usage.ts';
import type { JsonReply, Provider, SseEvent, StreamReply, UpstreamCall } from '../types.ts';
import { parseSse } from '../sse-parser.ts';
import { withFirst } from '../../proxy/stream-tap.ts';
import { CallGuard } from './call-guard.ts';
import { upstreamReportedError, upstreamStatusError } from './upstream-errors.ts';
import { readRateLimit, retryAfterMs, type RateLimitSnapshot } from '../../router/upstream-headers.ts';

// Any OpenAI-compatible API behind a base URL (OpenAI, Azure, vLLM, Ollama, Groq, ...).
// One undici pool per provider keeps connections warm; everything that can be worked out
// from config (paths, static headers) is worked out once here, not per request.

const MAX_ERROR_BODY = 64 * 1024;
const USER_AGENT = `tollgate/${(createRequire(import.meta.url)('../../../package.json') as { version: string }).version}`;
const ERROR_EVENT = /^\s*\{\s*"error"\s*:/;

type ReplyBody = Awaited<ReturnType<Pool['request']>>['body'];

export class OpenAIProvider implements Provider {
  readonly kind = 'openai';
  readonly name: string;
  readonly #config: OpenAIProviderConfig;
  readonly #pool: Pool;
  readonly #chatPath: string;
  readonly #embeddingsPath: string;
  readonly #headers: Record<string, string>;
  readonly #secrets: readonly string[];

  constructor(name: string, config: OpenAIProviderConfig) {
    this.name = name;
    this.#config = config;
    const url = new URL(config.baseUrl);
    const basePath = url.pathname.replace(/\/+$/, '');
    const query = new URLSearchParams(config.query).toString();
    const suffix = query === '' ? '' : `?${query}`;
    this.#chatPath = `${basePath}/chat/completions${suffix}`;
    this.#embeddingsPath = `${basePath}/embeddings${suffix}`;
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
    this.#secrets = [config.apiKey, ...Object.values(config.headers)].filter((s): s is string => s !== undefined);
  }

  async chat(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply> {
    const guard = this.#guard(call);
    const { body, rateLimit } = await this.#send(this.#chatPath, call, guard, stream);
    const reply = stream ? await this.#openStream(body, guard) : await this.#readJson(body, guard);
    return rateLimit === undefined ? reply : { ...reply, rateLimit };
  }

  async embeddings(call: UpstreamCall): Promise<JsonReply> {
    const guard = this.#guard(call);
    const { body, rateLimit } = await this.#send(this.#embeddingsPath, call, guard, false);
    const reply = await this.#readJson(body, guard);
    return rateLimit === undefined ? reply : { ...reply, rateLimit };
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

  /** Sends the request; resolves with the body of a 2xx answer whose shape fits. */
  async #send(path: string, call: UpstreamCall, guard: CallGuard, stream: boolean): Promise<{ body: ReplyBody; rateLimit: RateLimitSnapshot | undefined }> {
    let reply;
    try {
      reply = await this.#pool.request({
        path,
        method: 'POST',
        headers: { ...this.#headers, accept: stream ? 'text/event-stream' : 'application/json', 'x-request-id': call.requestId },
        body: JSON.stringify(call.body),
        signal: guard.signal,
      });
    } catch (err) {
      guard.finish(true);
      throw guard.explain(err, this.name, 'connect');
    }
    // For a stream, the first byte that counts is its first event (see #openStream).
    if (!stream) guard.firstByte();
    const contentType = String(reply.headers['content-type'] ?? '');
    const ok = reply.statusCode >= 200 && reply.statusCode < 300;
    if (ok && (!stream || contentType.includes('text/event-stream'))) return { body: reply.body, rateLimit: readRateLimit(reply.headers) };

    const text = await readLimited(reply.body, MAX_ERROR_BODY).catch(() => '');
    guard.finish(true);
    if (!ok) {
      const retryAfter = reply.headers['retry-after'];
      const error = upstreamStatusError(this.name, reply.statusCode, text, typeof retryAfter === 'string' ? retryAfter : undefined, this.#secrets);
      throw error.with({ upstream: { status: reply.statusCode, retryAfterMs: retryAfterMs(reply.headers) } });
    }
    // A 2xx that is not an event stream, to a streaming request: some servers report
    // errors this way. Use its error if it has one; otherwise say what went wrong.
    if (ERROR_EVENT.test(text)) throw upstreamReportedError(this.name, text, 'body', this.#secrets);
    throw new GatewayError('upstream_error', `Provider "${this.name}" answered a streaming request with ${contentType || 'no content type'}, not an event stream.`);
  }

  async #readJson(body: ReplyBody, guard: CallGuard): Promise<JsonReply> {
    let text: string;
    try {
      text = await readAll(body, guard);
    } catch (err) {
      throw guard.explain(err, this.name, 'body');
    } finally {
      guard.finish(false);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new GatewayError('upstream_error', `Provider "${this.name}" sent a response that is not valid JSON.`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new GatewayError('upstream_error', `Provider "${this.name}" sent a response that is not a JSON object.`);
    }
    const record = parsed as Record<string, unknown>;
    if ('error' in record && record.error) throw upstreamReportedError(this.name, text, 'body', this.#secrets);
    return { kind: 'json', text, body: record, usage: usageFromOpenAI(record.usage) };
  }

  /** Waits for the first event: the commit point. Until then every failure is a plain error. */
  async #openStream(body: ReplyBody, guard: CallGuard): Promise<StreamReply> {
    const events = this.#events(body, guard);
    const first = await events.next();
    if (first.done) throw new GatewayError('upstream_error', `Provider "${this.name}" ended the stream before sending anything.`);
    guard.firstByte();
    return { kind: 'stream', events: withFirst(first.value, events) };
  }

  async *#events(body: ReplyBody, guard: CallGuard): AsyncGenerator<SseEvent, void, undefined> {
    let complete = false;
    try {
      let done = false;
      for await (const event of parseSse(touching(body, guard))) {
        // Keep reading to the end of the body after [DONE] (it is normally right there),
        // so the connection goes back to the pool instead of being torn down.
        if (done) continue;
        if (event.data === '[DONE]') {
          done = true;
          continue;
        }
        if (event.event === 'error' || ERROR_EVENT.test(event.data)) {
          throw upstreamReportedError(this.name, event.data, 'stream', this.#secrets);
        }
        yield { data: event.data };
      }
      if (!done) {
        throw new GatewayError('upstream_error', `Provider "${this.name}" ended the stream without [DONE]: the answer is incomplete.`);
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

/** Passes body chunks through, restarting the idle clock on each. */
async function* touching(body: ReplyBody, guard: CallGuard): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    guard.touch();
    yield chunk as Buffer;
  }
}

/**
 * Reads a whole body with plain `data` events, restarting the idle clock on each chunk.
 * (An async iterator here cost about a tenth of all the gateway's allocations.)
 */
function readAll(body: ReplyBody, guard: CallGuard): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => {
      guard.touch();
      chunks.push(chunk);
    });
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    body.once('error', reject);
  });
}

async function readLimited(body: ReplyBody, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) break;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function lowerKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}
