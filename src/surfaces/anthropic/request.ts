import { GatewayError } from '../../proxy/errors.ts';

// An Anthropic Messages request → the pipeline's chat request (OpenAI's shape), so every
// stage (budgets, guards, router, fallback, cache, policies) sees an ordinary chat request
// and any provider can serve it. Tool results become tool messages placed right after the
// assistant turn that asked for them; images become image_url parts (data URLs for base64).
// What the chat shape cannot carry (documents, server tools) is refused with a 400.

type Json = Record<string, unknown>;

export interface ChatRequestOptions {
  /** count_tokens takes no max_tokens; a Messages request must have one. */
  readonly requireMaxTokens: boolean;
}

export function toChatRequest(body: Json, options: ChatRequestOptions): Json {
  const out: Json = { model: body.model };
  if (options.requireMaxTokens && body.max_tokens === undefined) throw refuse('max_tokens', 'Field required.');
  if (body.max_tokens !== undefined) out.max_tokens = body.max_tokens;
  const messages: Json[] = [...systemMessages(body.system)];
  if (!Array.isArray(body.messages)) throw refuse('messages', body.messages === undefined ? 'Field required.' : 'expected an array.');
  body.messages.forEach((message, i) => messages.push(...convertMessage(message, `messages[${i}]`)));
  out.messages = messages;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) out.stop = body.stop_sequences;
  for (const key of ['temperature', 'top_p'] as const) if (body[key] !== undefined) out[key] = body[key];
  if (isRecord(body.metadata) && typeof body.metadata.user_id === 'string') out.user = body.metadata.user_id;
  if (body.stream === true) {
    out.stream = true;
    // message_delta reports usage: always ask for it.
    out.stream_options = { include_usage: true };
  }
  if (body.tools !== undefined) out.tools = convertTools(body.tools);
  Object.assign(out, toolChoice(body.tool_choice));
  return out;
}

function systemMessages(system: unknown): Json[] {
  if (system === undefined || system === null) return [];
  if (typeof system === 'string') return system === '' ? [] : [{ role: 'system', content: system }];
  if (!Array.isArray(system)) throw refuse('system', 'expected a string or an array of text blocks.');
  const text = system
    .map((block, i) => {
      if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') return block.text;
      throw refuse(`system[${i}]`, 'expected a text block.');
    })
    .join('\n\n');
  return text === '' ? [] : [{ role: 'system', content: text }];
}

function convertMessage(message: unknown, at: string): Json[] {
  if (!isRecord(message)) throw refuse(at, 'expected an object.');
  const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  if (!Array.isArray(blocks)) throw refuse(`${at}.content`, 'expected a string or an array of content blocks.');
  if (message.role === 'assistant') return [assistantMessage(blocks, `${at}.content`)];
  if (message.role !== 'user') throw refuse(`${at}.role`, "expected 'user' or 'assistant'.");
  const toolMessages: Json[] = [];
  const parts: Json[] = [];
  blocks.forEach((block, j) => {
    const param = `${at}.content[${j}]`;
    if (isRecord(block) && block.type === 'tool_result') toolMessages.push(toolMessage(block, param));
    else parts.push(userPart(block, param));
  });
  // Tool answers go first, straight after the assistant turn that called the tools.
  if (parts.length > 0) toolMessages.push({ role: 'user', content: parts.length === 1 && parts[0]!.type === 'text' ? parts[0]!.text : parts });
  return toolMessages;
}

function userPart(block: unknown, param: string): Json {
  if (!isRecord(block)) throw refuse(param, 'expected a content block.');
  if (block.type === 'text' && typeof block.text === 'string') return { type: 'text', text: block.text };
  if (block.type === 'image') return { type: 'image_url', image_url: { url: imageUrl(block.source, `${param}.source`) } };
  throw refuse(`${param}.type`, `content block '${String(block.type)}' is not supported by this gateway.`);
}

function imageUrl(source: unknown, param: string): string {
  if (isRecord(source) && source.type === 'base64' && typeof source.media_type === 'string' && typeof source.data === 'string') {
    return `data:${source.media_type};base64,${source.data}`;
  }
  if (isRecord(source) && source.type === 'url' && typeof source.url === 'string') return source.url;
  throw refuse(param, 'expected a base64 or url image source.');
}

function toolMessage(block: Json, param: string): Json {
  if (typeof block.tool_use_id !== 'string') throw refuse(`${param}.tool_use_id`, 'Field required.');
  let content = '';
  if (typeof block.content === 'string') content = block.content;
  else if (Array.isArray(block.content)) {
    // A tool message carries text: images in a tool result are named, not sent.
    content = block.content
      .map((part, k) => {
        if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
        if (isRecord(part) && part.type === 'image') return '[image]';
        throw refuse(`${param}.content[${k}]`, 'expected a text or image block.');
      })
      .join('\n');
  }
  if (block.is_error === true) content = `Error: ${content}`;
  return { role: 'tool', tool_call_id: block.tool_use_id, content };
}

function assistantMessage(blocks: unknown[], param: string): Json {
  let text: string | null = null;
  const toolCalls: Json[] = [];
  blocks.forEach((block, j) => {
    if (!isRecord(block)) throw refuse(`${param}[${j}]`, 'expected a content block.');
    if (block.type === 'text' && typeof block.text === 'string') text = (text ?? '') + block.text;
    else if (block.type === 'tool_use') {
      if (typeof block.id !== 'string' || typeof block.name !== 'string') throw refuse(`${param}[${j}]`, 'expected { id, name, input }.');
      toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
      // Thinking blocks are the model's own scratch work: other providers cannot take them back.
      throw refuse(`${param}[${j}].type`, `content block '${String(block.type)}' is not supported by this gateway.`);
    }
  });
  const message: Json = { role: 'assistant', content: text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return message;
}

function convertTools(tools: unknown): Json[] {
  if (!Array.isArray(tools)) throw refuse('tools', 'expected an array.');
  return tools.map((tool, i) => {
    if (!isRecord(tool) || typeof tool.name !== 'string') throw refuse(`tools[${i}]`, 'expected { name, input_schema }.');
    if (tool.type !== undefined && tool.type !== 'custom') throw refuse(`tools[${i}].type`, `server tool '${String(tool.type)}' is not supported by this gateway.`);
    const fn: Json = { name: tool.name, parameters: isRecord(tool.input_schema) ? tool.input_schema : { type: 'object', properties: {} } };
    if (typeof tool.description === 'string') fn.description = tool.description;
    return { type: 'function', function: fn };
  });
}

function toolChoice(choice: unknown): Json {
  if (choice === undefined || choice === null) return {};
  if (!isRecord(choice)) throw refuse('tool_choice', 'expected an object.');
  const parallel = choice.disable_parallel_tool_use === true ? { parallel_tool_calls: false } : {};
  switch (choice.type) {
    case 'auto':
      return { tool_choice: 'auto', ...parallel };
    case 'any':
      return { tool_choice: 'required', ...parallel };
    case 'none':
      return { tool_choice: 'none' };
    case 'tool':
      if (typeof choice.name !== 'string') throw refuse('tool_choice.name', 'Field required.');
      return { tool_choice: { type: 'function', function: { name: choice.name } }, ...parallel };
    default:
      throw refuse('tool_choice.type', "expected 'auto', 'any', 'tool' or 'none'.");
  }
}

function refuse(param: string, why: string): GatewayError {
  return new GatewayError('invalid_request', `${param}: ${why}`, { param });
}

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
