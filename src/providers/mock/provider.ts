import { setTimeout as sleep } from 'node:timers/promises';
import type { MockProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../proxy/errors.ts';
import { estimateTokens, usageFromOpenAI } from '../../metering/usage.ts';
import type { JsonReply, Provider, SseEvent, StreamReply, UpstreamCall } from '../types.ts';
import { digest, mockAnswer, promptChars, type MockAnswer } from './answer.ts';
import { mockEmbedding, toBase64 } from './embeddings.ts';
import { checkChatRequest, checkedDimensions, checkedInputs } from './refusals.ts';

// The built-in provider: answers in-process in OpenAI's exact shapes, so the gateway runs
// end to end with no API keys. Usage numbers are deterministic estimates from the text.

/** Vectors are small unless asked otherwise, so demos and tests stay light. */
const DEFAULT_DIMENSIONS = 16;

export class MockProvider implements Provider {
  readonly kind = 'mock';
  readonly name: string;
  readonly #config: MockProviderConfig;

  constructor(name: string, config: MockProviderConfig) {
    this.name = name;
    this.#config = config;
  }

  async chat(call: UpstreamCall, stream: boolean): Promise<JsonReply | StreamReply> {
    const body = call.body;
    checkChatRequest(body);
    await this.#wait(this.#config.latency, call.signal);
    const answer = mockAnswer(body);
    const id = `chatcmpl-mock-${digest(`${call.requestId}`).slice(0, 24)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = String(body.model);
    const usage = {
      prompt_tokens: estimateTokens(promptChars(body)),
      completion_tokens: estimateTokens((answer.content ?? '').length + answer.toolCalls.reduce((n, t) => n + t.arguments.length + t.name.length, 0)),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (!stream) {
      const reply = {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: messageOf(answer), logprobs: null, finish_reason: answer.finishReason }],
        usage,
        system_fingerprint: 'tollgate-mock',
      };
      return { kind: 'json', bytes: Buffer.from(JSON.stringify(reply)), usage: usageFromOpenAI(usage) };
    }
    const options = body.stream_options as { include_usage?: unknown } | undefined;
    const chunks = chunksOf(answer, { id, created, model }, options?.include_usage === true ? usage : undefined);
    return { kind: 'stream', events: this.#pace(chunks, call.signal) };
  }

  async embeddings(call: UpstreamCall): Promise<JsonReply> {
    const body = call.body;
    const model = String(body.model);
    // Checked before anything is computed: the request decides how big the answer is.
    const inputs = checkedInputs(body.input);
    const dimensions = checkedDimensions(body.dimensions, model, DEFAULT_DIMENSIONS);
    await this.#wait(this.#config.latency, call.signal);
    const base64 = body.encoding_format === 'base64';
    const data = inputs.map((input, index) => {
      const vector = mockEmbedding(input, dimensions);
      return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : Array.from(vector) };
    });
    const tokens = estimateTokens(JSON.stringify(body.input ?? '').length);
    const reply = { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
    return { kind: 'json', bytes: Buffer.from(JSON.stringify(reply)), usage: usageFromOpenAI(reply.usage) };
  }

  // Nothing to close: mock answers live only as long as their requests, which end with them.
  async close(): Promise<void> {}

  async destroy(): Promise<void> {}

  async #wait(ms: number, signal: AbortSignal): Promise<void> {
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      throw new GatewayError('upstream_error', 'The client closed the connection.');
    }
  }

  async *#pace(chunks: readonly object[], signal: AbortSignal): AsyncGenerator<SseEvent, void, undefined> {
    for (let i = 0; i < chunks.length; i++) {
      if (i > 0) await this.#wait(this.#config.chunkDelay, signal);
      yield { data: JSON.stringify(chunks[i]) };
    }
  }
}

function messageOf(answer: MockAnswer): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: answer.content, refusal: null };
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } }));
  }
  return message;
}

/** OpenAI's streaming shape: role first, then content or tool-call deltas, finish, usage. */
function chunksOf(
  answer: MockAnswer,
  meta: { id: string; created: number; model: string },
  usage: object | undefined,
): object[] {
  const base = { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, system_fingerprint: 'tollgate-mock' };
  const extra = usage === undefined ? {} : { usage: null };
  const chunk = (delta: object, finish: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  });
  const out: object[] = [chunk({ role: 'assistant', content: answer.content === null ? null : '', refusal: null }, null)];
  for (const piece of (answer.content ?? '').match(/\S+\s*|\s+/g) ?? []) out.push(chunk({ content: piece }, null));
  answer.toolCalls.forEach((t, index) => {
    out.push(chunk({ tool_calls: [{ index, id: t.id, type: 'function', function: { name: t.name, arguments: '' } }] }, null));
    out.push(chunk({ tool_calls: [{ index, function: { arguments: t.arguments } }] }, null));
  });
  out.push(chunk({}, answer.finishReason));
  if (usage !== undefined) out.push({ ...base, choices: [], usage });
  return out;
}
