// What the difficulty score may look at in a chat request, gathered in bounded time. A
// hostile request (megabytes of text, thousands of messages, huge content-part arrays) costs
// no more than these caps: the text the features read is the tail of the last user message,
// and everything else is counted, never copied.

/**
 * Characters of the last user message the text features read: its tail, where the ask
 * usually is. Every prompt in the training data is shorter.
 */
export const USER_TEXT_CAP = 4 * 1024;
/** Characters of system/developer text read for explicit hints. */
export const SYSTEM_TEXT_CAP = 2 * 1024;
/** Content parts visited over the whole request, for the text and the counts. */
const PART_BUDGET = 1024;

export interface PromptView {
  /** Tail of the last user message's text, at most USER_TEXT_CAP characters. */
  readonly userText: string;
  /** Head of the system and developer messages' text, at most SYSTEM_TEXT_CAP characters. */
  readonly systemText: string;
  /** Characters of text in all messages (parts beyond the budget are not counted). */
  readonly totalChars: number;
  readonly messages: number;
  readonly userTurns: number;
  readonly tools: number;
  readonly responseFormat: 'none' | 'text' | 'json_object' | 'json_schema';
  readonly reasoningEffort: string | undefined;
}

/** A bare prompt seen as a one-message conversation (training data, `route-scores`). */
export function viewOfPrompt(prompt: string): PromptView {
  return {
    userText: prompt.length > USER_TEXT_CAP ? prompt.slice(-USER_TEXT_CAP) : prompt,
    systemText: '',
    totalChars: prompt.length,
    messages: 1,
    userTurns: 1,
    tools: 0,
    responseFormat: 'none',
    reasoningEffort: undefined,
  };
}

type Message = { role?: unknown; content?: unknown };

/** Views a chat request body; tolerates any shape (fields it cannot read count as absent). */
export function viewOfChat(body: Record<string, unknown>): PromptView {
  const messages: unknown[] = Array.isArray(body.messages) ? body.messages : [];
  const budget = { parts: PART_BUDGET };
  let totalChars = 0;
  let userTurns = 0;
  let lastUser = -1;
  let systemText = '';
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as Message | null;
    if (message === null || typeof message !== 'object') continue;
    totalChars += textLength(message.content, budget);
    if (message.role === 'user') {
      userTurns++;
      lastUser = i;
    } else if ((message.role === 'system' || message.role === 'developer') && systemText.length < SYSTEM_TEXT_CAP) {
      systemText += headText(message.content, SYSTEM_TEXT_CAP - systemText.length);
    }
  }
  const userText = lastUser < 0 ? '' : tailText((messages[lastUser] as Message).content, USER_TEXT_CAP);
  const effort = body.reasoning_effort;
  return {
    userText,
    systemText,
    totalChars,
    messages: messages.length,
    userTurns,
    tools: Array.isArray(body.tools) ? body.tools.length : 0,
    responseFormat: responseFormatOf(body.response_format),
    reasoningEffort: typeof effort === 'string' ? effort : undefined,
  };
}

function responseFormatOf(format: unknown): PromptView['responseFormat'] {
  if (format === null || typeof format !== 'object') return 'none';
  const type = (format as { type?: unknown }).type;
  return type === 'json_schema' || type === 'json_object' || type === 'text' ? type : 'none';
}

/** Text of one part (`{type:"text",text}`); deeper nesting is not text a user typed, so it is not read. */
function partText(part: unknown): string | undefined {
  if (part === null || typeof part !== 'object') return undefined;
  const text = (part as { text?: unknown }).text;
  return typeof text === 'string' ? text : undefined;
}

function textLength(content: unknown, budget: { parts: number }): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let chars = 0;
  const end = Math.min(content.length, budget.parts);
  for (let i = 0; i < end; i++) chars += partText(content[i])?.length ?? 0;
  budget.parts -= end;
  return chars;
}

function tailText(content: unknown, cap: number): string {
  if (typeof content === 'string') return content.length > cap ? content.slice(-cap) : content;
  if (!Array.isArray(content)) return '';
  const pieces: string[] = [];
  let length = 0;
  // From the last part backwards, visiting at most PART_BUDGET parts.
  for (let i = content.length - 1, seen = 0; i >= 0 && length < cap && seen < PART_BUDGET; i--, seen++) {
    const text = partText(content[i]);
    if (text === undefined || text === '') continue;
    const piece = text.length > cap - length ? text.slice(-(cap - length)) : text;
    pieces.push(piece);
    length += piece.length;
  }
  const text = pieces.reverse().join('\n');
  return text.length > cap ? text.slice(-cap) : text;
}

function headText(content: unknown, cap: number): string {
  if (typeof content === 'string') return content.slice(0, cap);
  if (!Array.isArray(content)) return '';
  let text = '';
  for (let i = 0; i < content.length && i < PART_BUDGET && text.length < cap; i++) text += `${partText(content[i]) ?? ''}\n`;
  return text.slice(0, cap);
}
