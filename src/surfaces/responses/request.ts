import { z } from 'zod';
import { GatewayError } from '../../proxy/errors.ts';

// What /v1/responses accepts, and its translation to the normalised chat request every
// pipeline stage sees. The schema checks only what the translation relies on (and the
// numeric ranges); other fields pass through to native targets untouched. Translation
// refuses, with a 400 naming the field, whatever chat completions cannot express; those
// refusals apply only when the served target is translated (see `untranslatable`).

type Json = Record<string, unknown>;

const item = z.object({ type: z.string().optional(), role: z.string().optional() });

export const responsesRequestSchema = z.object({
  model: z.string().min(1).max(256),
  input: z.union([z.string(), z.array(item)]).optional(),
  instructions: z.string().nullish(),
  tools: z.array(z.object({ type: z.string(), name: z.string().min(1).optional() })).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.string() })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.object({ format: z.object({ type: z.string() }).nullish() }).nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  metadata: z.record(z.string().max(64), z.string().max(512)).nullish(),
  user: z.string().nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().min(1).max(256).nullish(),
  background: z.boolean().nullish(),
});

/** A chat message of the normalised request (and of the stored conversation). */
export type ChatMessage = Json;

/** The first thing a translated target cannot do, as the 400 to answer with. */
export function untranslatable(body: Json): GatewayError | undefined {
  const unsupported = (param: string, what: string) =>
    new GatewayError('unsupported_feature', `${what} is not supported by the target serving this model (it is served through chat completions).`, { param });
  if (body.background === true) return unsupported('background', "'background: true'");
  if (body.conversation != null) return unsupported('conversation', "'conversation'");
  if (body.prompt != null) return unsupported('prompt', "'prompt' (stored prompt templates)");
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]) : [];
  const hosted = tools.findIndex((t) => t.type !== 'function');
  if (hosted !== -1) return unsupported(`tools[${hosted}].type`, `The built-in tool '${String(tools[hosted]!.type)}'`);
  const choice = body.tool_choice as Json | string | null | undefined;
  if (choice !== null && typeof choice === 'object' && choice.type !== 'function') {
    return unsupported('tool_choice', `tool_choice of type '${String(choice.type)}'`);
  }
  const format = (body.text as Json | undefined)?.format as Json | undefined;
  if (format != null && !['text', 'json_object', 'json_schema'].includes(String(format.type))) {
    return unsupported('text.format.type', `text.format of type '${String(format.type)}'`);
  }
  return undefined;
}

/**
 * The request's own input as chat messages (after `instructions`, which are not history).
 * An item or part chat cannot carry is left out and reported to `unsupported` (the request
 * may still go to a native target, which gets the input as sent).
 */
export function inputMessages(input: unknown, unsupported: (error: GatewayError) => void): ChatMessage[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const messages: ChatMessage[] = [];
  (input as Json[]).forEach((entry, i) => {
    try {
      addItem(messages, entry, `input[${i}]`);
    } catch (err) {
      if (!(err instanceof GatewayError) || err.code !== 'unsupported_feature') throw err;
      unsupported(err);
    }
  });
  return messages;
}

/** The normalised chat request: history, then instructions first, then this request's input. */
export function toChatRequest(body: Json, history: readonly ChatMessage[], input: readonly ChatMessage[]): Json {
  const messages: ChatMessage[] = [];
  if (typeof body.instructions === 'string' && body.instructions !== '') messages.push({ role: 'system', content: body.instructions });
  messages.push(...history, ...input);
  if (messages.length === 0) throw new GatewayError('invalid_request', "Missing required parameter: 'input'.", { param: 'input' });
  const chat: Json = { model: body.model, messages };
  // The usage chunk is needed for the final response.completed event.
  if (body.stream === true) Object.assign(chat, { stream: true, stream_options: { include_usage: true } });
  const tools = Array.isArray(body.tools) ? (body.tools as Json[]).filter((t) => t.type === 'function') : [];
  if (tools.length > 0) chat.tools = tools.map(chatTool);
  if (body.tool_choice != null) chat.tool_choice = chatToolChoice(body.tool_choice as string | Json);
  copy(body, chat, 'parallel_tool_calls');
  copy(body, chat, 'temperature');
  copy(body, chat, 'top_p');
  copy(body, chat, 'user');
  // `metadata` stays with the response (echoed and stored): chat servers refuse or ignore it.
  if (body.max_output_tokens != null) chat.max_completion_tokens = body.max_output_tokens;
  const format = (body.text as Json | null | undefined)?.format as Json | null | undefined;
  if (format != null && format.type !== 'text') chat.response_format = chatResponseFormat(format);
  const effort = (body.reasoning as Json | null | undefined)?.effort;
  if (typeof effort === 'string') chat.reasoning_effort = effort;
  return chat;
}

function copy(from: Json, to: Json, key: string): void {
  if (from[key] !== undefined && from[key] !== null) to[key] = from[key];
}

function chatTool(tool: Json): Json {
  const fn: Json = { name: tool.name };
  if (tool.description != null) fn.description = tool.description;
  if (tool.parameters != null) fn.parameters = tool.parameters;
  if (tool.strict != null) fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

function chatToolChoice(choice: string | Json): unknown {
  if (typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.name } };
}

function chatResponseFormat(format: Json): Json {
  if (format.type === 'json_object') return { type: 'json_object' };
  const schema: Json = { name: format.name ?? 'response', schema: format.schema };
  if (format.description != null) schema.description = format.description;
  if (format.strict != null) schema.strict = format.strict;
  return { type: 'json_schema', json_schema: schema };
}

function addItem(messages: ChatMessage[], entry: Json, param: string): void {
  const type = entry.type ?? 'message';
  switch (type) {
    case 'message':
      messages.push(message(entry, param));
      return;
    case 'function_call':
      addToolCall(messages, entry, param);
      return;
    case 'function_call_output':
      messages.push({ role: 'tool', tool_call_id: requiredString(entry.call_id, `${param}.call_id`), content: outputText(entry.output, `${param}.output`) });
      return;
    case 'reasoning':
      // A reasoning model's opaque notes from an earlier turn: chat has no place for them.
      return;
    default:
      throw new GatewayError('unsupported_feature', `Input items of type '${String(type)}' are not supported by the target serving this model.`, {
        param: `${param}.type`,
      });
  }
}

const ROLES = new Set(['user', 'assistant', 'system', 'developer']);

function message(entry: Json, param: string): ChatMessage {
  const role = entry.role;
  if (typeof role !== 'string' || !ROLES.has(role)) {
    throw new GatewayError('invalid_request', `Invalid value for '${param}.role': expected one of user, assistant, system, developer.`, { param: `${param}.role` });
  }
  const content = entry.content;
  if (typeof content === 'string') return { role, content };
  if (!Array.isArray(content)) throw new GatewayError('invalid_request', `Missing required parameter: '${param}.content'.`, { param: `${param}.content` });
  // Assistant history is text only in chat; user turns keep their parts (text and images).
  if (role === 'assistant') return { role, content: (content as Json[]).map((p, i) => partText(p, `${param}.content[${i}]`)).join('') };
  return { role, content: (content as Json[]).map((p, i) => chatPart(p, `${param}.content[${i}]`)) };
}

function chatPart(part: Json, param: string): Json {
  switch (part.type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: requiredString(part.text, `${param}.text`) };
    case 'input_image': {
      if (typeof part.image_url !== 'string') {
        throw new GatewayError('unsupported_feature', 'Images by file_id are not supported by the target serving this model; send image_url.', { param: `${param}.image_url` });
      }
      const image: Json = { url: part.image_url };
      if (part.detail != null) image.detail = part.detail;
      return { type: 'image_url', image_url: image };
    }
    default:
      throw new GatewayError('unsupported_feature', `Content parts of type '${String(part.type)}' are not supported by the target serving this model.`, {
        param: `${param}.type`,
      });
  }
}

function partText(part: Json, param: string): string {
  if (part.type === 'refusal') return requiredString(part.refusal, `${param}.refusal`);
  return requiredString(part.text, `${param}.text`);
}

/** `function_call` items become an assistant message's tool calls; consecutive ones (parallel calls) share one message. */
function addToolCall(messages: ChatMessage[], entry: Json, param: string): void {
  const call = {
    id: requiredString(entry.call_id, `${param}.call_id`),
    type: 'function',
    function: { name: requiredString(entry.name, `${param}.name`), arguments: typeof entry.arguments === 'string' ? entry.arguments : '{}' },
  };
  const last = messages.at(-1);
  if (last?.role === 'assistant') {
    const calls = (last.tool_calls as Json[] | undefined) ?? [];
    last.tool_calls = [...calls, call];
    return;
  }
  messages.push({ role: 'assistant', content: null, tool_calls: [call] });
}

function outputText(output: unknown, param: string): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) return (output as Json[]).map((p, i) => partText(p, `${param}[${i}]`)).join('');
  throw new GatewayError('invalid_request', `Missing required parameter: '${param}'.`, { param });
}

function requiredString(value: unknown, param: string): string {
  if (typeof value === 'string') return value;
  throw new GatewayError('invalid_request', `Missing required parameter: '${param}'.`, { param });
}
