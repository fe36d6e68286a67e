import { GatewayError } from '../../proxy/errors.ts';

// An OpenAI chat completion request → an Anthropic Messages request. System and developer
// messages become `system`; tool messages become `tool_result` blocks in a user turn;
// assistant tool calls become `tool_use` blocks; consecutive turns of one role are merged
// (the Messages API wants user and assistant to alternate). A request Anthropic cannot
// express faithfully (n > 1, an unknown content part) is refused with a 400 naming the
// parameter, never silently changed.

type Json = Record<string, unknown>;
type Block = Json;

export interface MessagesRequestOptions {
  /** The target model. */
  readonly model: string;
  /** Sent when the request sets no max_tokens (Anthropic requires one). */
  readonly maxTokens: number;
}

export function toMessagesRequest(body: Json, options: MessagesRequestOptions): Json {
  if (typeof body.n === 'number' && body.n > 1) throw refuse('n', 'this model returns one choice per request (n must be 1).');
  const format = body.response_format as Json | null | undefined;
  if (isRecord(format) && format.type !== 'text') {
    throw refuse('response_format', `'${String(format.type)}' is not supported by this model's provider.`);
  }
  const { system, messages } = convertMessages(body.messages);
  const out: Json = { model: options.model, max_tokens: maxTokensOf(body) ?? options.maxTokens, messages };
  if (system.length > 0) out.system = system;
  const stop = stopSequences(body.stop);
  if (stop !== undefined) out.stop_sequences = stop;
  // OpenAI's temperature runs to 2, Anthropic's to 1: the top of the range is the most random either way.
  if (typeof body.temperature === 'number') out.temperature = Math.min(body.temperature, 1);
  if (typeof body.top_p === 'number') out.top_p = body.top_p;
  if (typeof body.user === 'string') out.metadata = { user_id: body.user };
  if (body.stream === true) out.stream = true;
  const tools = convertTools(body.tools);
  const choice = toolChoice(body.tool_choice, body.parallel_tool_calls);
  if (tools !== undefined && tools.length > 0) {
    out.tools = tools;
    if (choice !== undefined) out.tool_choice = choice;
  }
  return out;
}

function maxTokensOf(body: Json): number | undefined {
  for (const value of [body.max_completion_tokens, body.max_tokens]) if (typeof value === 'number') return value;
  return undefined;
}

function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return stop === '' ? undefined : [stop];
  if (Array.isArray(stop)) {
    const list = stop.filter((s): s is string => typeof s === 'string' && s !== '');
    return list.length > 0 ? list : undefined;
  }
  return undefined;
}

function convertMessages(raw: unknown): { system: Block[]; messages: Json[] } {
  const system: Block[] = [];
  const messages: Json[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = messages.at(-1);
    if (last?.role === role) (last.content as Block[]).push(...blocks);
    else messages.push({ role, content: blocks });
  };
  const list = Array.isArray(raw) ? raw : [];
  list.forEach((message, i) => {
    if (!isRecord(message)) throw refuse(`messages[${i}]`, 'expected an object.');
    const at = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content, `${at}.content`));
        return;
      case 'user':
        push('user', contentBlocks(message.content, `${at}.content`));
        return;
      case 'assistant':
        push('assistant', [...textBlocks(message.content ?? null, `${at}.content`), ...toolUses(message.tool_calls, at)]);
        return;
      case 'tool':
        push('user', [toolResult(message, at)]);
        return;
      default:
        throw refuse(`${at}.role`, `'${String(message.role)}' is not supported by this model's provider.`);
    }
  });
  // Anthropic refuses a conversation that does not open with a user turn.
  if (messages.length === 0 || messages[0]!.role !== 'user') messages.unshift({ role: 'user', content: [{ type: 'text', text: '(continue)' }] });
  return { system, messages };
}

/** Text content only (system, developer, assistant): a string or text parts; empty text is dropped. */
function textBlocks(content: unknown, param: string): Block[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw refuse(param, 'expected a string or an array of content parts.');
  return content.flatMap((part, j) => {
    if (isRecord(part) && (part.type === 'text' || part.type === 'refusal')) {
      const text = part.type === 'text' ? part.text : part.refusal;
      return typeof text === 'string' && text !== '' ? [{ type: 'text', text }] : [];
    }
    throw refuse(`${param}[${j}]`, 'only text parts are allowed here.');
  });
}

/** User content: text and images (data URLs become base64 sources, http(s) URLs url sources). */
function contentBlocks(content: unknown, param: string): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content === '' ? ' ' : content }];
  if (!Array.isArray(content)) throw refuse(param, 'expected a string or an array of content parts.');
  return content.map((part, j) => {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') return { type: 'text', text: part.text };
    if (isRecord(part) && part.type === 'image_url') return imageBlock(part.image_url, `${param}[${j}].image_url`);
    throw refuse(`${param}[${j}]`, `content part type '${isRecord(part) ? String(part.type) : typeof part}' is not supported by this model's provider.`);
  });
}

const DATA_URL = /^data:(image\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]*)$/i;

function imageBlock(image: unknown, param: string): Block {
  const url = isRecord(image) ? image.url : image;
  if (typeof url !== 'string') throw refuse(`${param}.url`, 'expected a URL.');
  if (url.startsWith('data:')) {
    const match = DATA_URL.exec(url);
    if (match === null) throw refuse(`${param}.url`, 'expected a base64 data URL of an image (data:image/png;base64,...).');
    return { type: 'image', source: { type: 'base64', media_type: match[1]!.toLowerCase(), data: match[2]!.replace(/\s+/g, '') } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw refuse(`${param}.url`, 'expected an http(s) URL or a data URL.');
}

function toolUses(calls: unknown, at: string): Block[] {
  if (calls === undefined || calls === null) return [];
  if (!Array.isArray(calls)) throw refuse(`${at}.tool_calls`, 'expected an array.');
  return calls.map((call, j) => {
    const param = `${at}.tool_calls[${j}]`;
    const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
    if (fn === undefined || typeof fn.name !== 'string' || typeof call.id !== 'string') throw refuse(param, 'expected { id, function: { name, arguments } }.');
    return { type: 'tool_use', id: call.id, name: fn.name, input: toolInput(fn.arguments, `${param}.function.arguments`) };
  });
}

/** Anthropic wants a tool call's input as an object; OpenAI carries it as JSON text. */
function toolInput(args: unknown, param: string): Json {
  if (args === undefined || args === null || args === '') return {};
  let parsed: unknown = args;
  if (typeof args === 'string') {
    try {
      parsed = JSON.parse(args);
    } catch {
      throw refuse(param, 'expected JSON text of an object.');
    }
  }
  if (!isRecord(parsed)) throw refuse(param, 'expected JSON text of an object.');
  return parsed;
}

function toolResult(message: Json, at: string): Block {
  if (typeof message.tool_call_id !== 'string') throw refuse(`${at}.tool_call_id`, 'expected the id of the tool call answered.');
  const content = message.content;
  const block: Block = { type: 'tool_result', tool_use_id: message.tool_call_id };
  if (typeof content === 'string') block.content = content;
  else if (content !== null && content !== undefined) block.content = contentBlocks(content, `${at}.content`);
  return block;
}

function convertTools(tools: unknown): Block[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  return tools.map((tool, i) => {
    const fn = isRecord(tool) && isRecord(tool.function) ? tool.function : undefined;
    if (fn === undefined || typeof fn.name !== 'string') throw refuse(`tools[${i}]`, 'only function tools are supported by this model\'s provider.');
    const out: Block = { name: fn.name, input_schema: isRecord(fn.parameters) ? fn.parameters : { type: 'object', properties: {} } };
    if (typeof fn.description === 'string') out.description = fn.description;
    return out;
  });
}

function toolChoice(choice: unknown, parallel: unknown): Json | undefined {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any', ...serial };
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === 'string') {
    return { type: 'tool', name: choice.function.name, ...serial };
  }
  if (choice === 'auto' || parallel === false) return { type: 'auto', ...serial };
  return undefined;
}

function refuse(param: string, why: string): GatewayError {
  return new GatewayError('invalid_request', `Invalid value for '${param}': ${why}`, { param });
}

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
