import { GatewayError } from '../../proxy/errors.ts';
import type { ParsedEvent } from '../sse-parser.ts';
import type { SseEvent } from '../types.ts';
import { anthropicReportedError } from './errors.ts';
import { finishReasonOf } from './response.ts';
import { openAIUsageOf } from './usage.ts';

// Anthropic's stream (message_start, content_block_start/delta/stop, message_delta,
// message_stop, ping, error) → OpenAI `chat.completion.chunk` data events: a role chunk
// first, text deltas as content, each tool_use block as one tool call (indexed by its
// order among tool calls, not by its block index), a finish chunk, then a usage chunk.
// Anthropic reports input tokens at the start and output tokens at the end: both are
// kept and sent together in the usage chunk. The stream is complete only at message_stop.

type Json = Record<string, unknown>;

export interface StreamSource {
  readonly provider: string;
  readonly secrets: readonly string[];
}

export async function* toChatChunks(events: AsyncIterable<ParsedEvent>, source: StreamSource): AsyncGenerator<SseEvent, void, undefined> {
  const created = Math.floor(Date.now() / 1000);
  let id = 'msg_unknown';
  let model = 'unknown';
  let startUsage: Json = {};
  let endUsage: Json = {};
  /** Block index → tool call index, for the blocks that are tool calls. */
  const toolIndex = new Map<number, number>();
  let stopped = false;
  const chunk = (delta: Json, finish: string | null = null): SseEvent => ({
    data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] }),
  });

  for await (const event of events) {
    // Keep reading to the end of the body after message_stop, so the connection is reused.
    if (stopped || event.data === '') continue;
    const name = event.event;
    if (name === 'ping') continue;
    if (name === 'error') throw anthropicReportedError(source.provider, event.data, 'stream', source.secrets);
    const payload = parse(event.data, source.provider);
    if (payload.type === 'error') throw anthropicReportedError(source.provider, event.data, 'stream', source.secrets);
    switch (payload.type) {
      case 'message_start': {
        const message = isRecord(payload.message) ? payload.message : {};
        if (typeof message.id === 'string') id = message.id;
        if (typeof message.model === 'string') model = message.model;
        if (isRecord(message.usage)) startUsage = message.usage;
        yield chunk({ role: 'assistant', content: '', refusal: null });
        break;
      }
      case 'content_block_start': {
        const block = isRecord(payload.content_block) ? payload.content_block : {};
        if (block.type === 'tool_use' && typeof payload.index === 'number') {
          const index = toolIndex.size;
          toolIndex.set(payload.index, index);
          yield chunk({ tool_calls: [{ index, id: String(block.id), type: 'function', function: { name: String(block.name), arguments: '' } }] });
        } else if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
          yield chunk({ content: block.text });
        }
        break;
      }
      case 'content_block_delta': {
        const delta = isRecord(payload.delta) ? payload.delta : {};
        if (delta.type === 'text_delta' && typeof delta.text === 'string') yield chunk({ content: delta.text });
        else if (delta.type === 'input_json_delta' && typeof delta.partial_json === 'string' && delta.partial_json !== '') {
          const index = typeof payload.index === 'number' ? toolIndex.get(payload.index) : undefined;
          if (index !== undefined) yield chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] });
        }
        // Thinking and signature deltas have no place in OpenAI's chat shape.
        break;
      }
      case 'message_delta': {
        const delta = isRecord(payload.delta) ? payload.delta : {};
        if (isRecord(payload.usage)) endUsage = { ...endUsage, ...payload.usage };
        yield chunk({}, finishReasonOf(delta.stop_reason));
        break;
      }
      case 'message_stop': {
        const usage = openAIUsageOf({ ...startUsage, ...definedOnly(endUsage) });
        yield { data: JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage }) };
        stopped = true;
        break;
      }
      default:
        // content_block_stop, and event types added later: nothing to relay.
        break;
    }
  }
  if (!stopped) throw new GatewayError('upstream_error', `Provider "${source.provider}" ended the stream without message_stop: the answer is incomplete.`);
}

function parse(data: string, provider: string): Json {
  try {
    const value: unknown = JSON.parse(data);
    if (isRecord(value)) return value;
  } catch {
    // fall through
  }
  throw new GatewayError('upstream_error', `Provider "${provider}" sent a stream event that is not a JSON object.`);
}

/** message_delta's usage may carry nulls for the counts it does not repeat. */
function definedOnly(usage: Json): Json {
  return Object.fromEntries(Object.entries(usage).filter(([, v]) => typeof v === 'number'));
}

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
