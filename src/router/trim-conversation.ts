// Trims the middle of a conversation so it fits a token budget. Kept always: every system
// and developer message, the first user message (it usually states the task) and the
// newest turn; then as many of the newest turns as fit. An assistant message that calls
// tools and the tool results that follow it are one unit: they are kept or dropped
// together, because providers refuse a tool result without its call (and a call without
// its results). One pass to group, one pass back from the newest: linear in the messages.

export interface Trimmed {
  readonly messages: unknown[];
  readonly droppedMessages: number;
  readonly droppedTokens: number;
}

interface Unit {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly tokens: number;
  readonly pinned: boolean;
  kept: boolean;
}

/**
 * `tokens[i]` is what `messages[i]` costs; `budget` is what all kept messages may cost
 * together. Returns undefined when even the pinned minimum does not fit.
 */
export function trimConversation(messages: readonly unknown[], tokens: readonly number[], budget: number): Trimmed | undefined {
  const units = unitsOf(messages, tokens);
  let room = budget;
  for (const unit of units) if (unit.pinned) room -= unit.tokens;
  if (room < 0) return undefined;

  // Newest first, stopping at the first turn that does not fit: the kept history stays one
  // contiguous stretch, never a newer turn with an older one and a hole between them.
  for (let i = units.length - 1; i >= 0; i--) {
    const unit = units[i]!;
    if (unit.pinned) continue;
    if (unit.tokens > room) break;
    unit.kept = true;
    room -= unit.tokens;
  }

  const kept: unknown[] = [];
  let droppedMessages = 0;
  let droppedTokens = 0;
  for (const unit of units) {
    if (unit.kept) {
      for (let i = unit.start; i < unit.end; i++) kept.push(messages[i]);
    } else {
      droppedMessages += unit.end - unit.start;
      droppedTokens += unit.tokens;
    }
  }
  return { messages: kept, droppedMessages, droppedTokens };
}

function unitsOf(messages: readonly unknown[], tokens: readonly number[]): Unit[] {
  const units: Unit[] = [];
  let sawUser = false;
  let i = 0;
  while (i < messages.length) {
    const role = roleOf(messages[i]);
    let end = i + 1;
    if (role === 'assistant' && callsTools(messages[i])) {
      while (end < messages.length && isToolResult(messages[end])) end++;
    }
    let cost = 0;
    for (let j = i; j < end; j++) cost += tokens[j] ?? 0;
    const firstUser = role === 'user' && !sawUser;
    if (role === 'user') sawUser = true;
    const pinned = role === 'system' || role === 'developer' || firstUser || end === messages.length;
    units.push({ start: i, end, tokens: cost, pinned, kept: pinned });
    i = end;
  }
  return units;
}

function roleOf(message: unknown): unknown {
  return message !== null && typeof message === 'object' ? (message as { role?: unknown }).role : undefined;
}

function callsTools(message: unknown): boolean {
  const m = message as { tool_calls?: unknown; function_call?: unknown };
  return (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) || (m.function_call !== undefined && m.function_call !== null);
}

/** `tool` results, and `function` results of the older function-calling API. */
function isToolResult(message: unknown): boolean {
  const role = roleOf(message);
  return role === 'tool' || role === 'function';
}
