import type { SseEvent } from '../providers/types.ts';

// Assembles a chat stream, while it is relayed, into the chat.completion a non-streaming
// request would have received: text, refusal, tool calls and finish reason per choice. It
// stops recording (and the answer is then not cached) once the answer outgrows the entry
// cap or an event is not a chunk it understands: recording never holds more than the cap.

interface ToolCallParts {
  id?: string;
  type: string;
  name: string;
  arguments: string;
}

interface ChoiceParts {
  content: string;
  refusal: string | undefined;
  hasContent: boolean;
  tools: ToolCallParts[];
  finishReason: string | null;
}

export class StreamRecorder {
  readonly #maxChars: number;
  readonly #choices = new Map<number, ChoiceParts>();
  #chars = 0;
  #failed = false;
  #id = '';
  #created = 0;
  #model = '';
  #fingerprint: string | undefined;
  /** The provider's usage object as sent (with its details), when the client asked for it. */
  #usage: Record<string, unknown> | undefined;

  constructor(maxBytes: number) {
    // Characters are at most a few bytes each; counting characters bounds memory as tightly.
    this.#maxChars = maxBytes;
  }

  /** False once recording gave up (too large, or an event it could not read). */
  get ok(): boolean {
    return !this.#failed;
  }

  record(event: SseEvent): void {
    if (this.#failed) return;
    this.#chars += event.data.length;
    if (this.#chars > this.#maxChars) return this.#giveUp();
    let chunk: Record<string, unknown>;
    try {
      chunk = JSON.parse(event.data) as Record<string, unknown>;
    } catch {
      return this.#giveUp();
    }
    if (typeof chunk.id === 'string') this.#id ||= chunk.id;
    if (typeof chunk.created === 'number') this.#created ||= chunk.created;
    if (typeof chunk.model === 'string') this.#model ||= chunk.model;
    if (typeof chunk.system_fingerprint === 'string') this.#fingerprint ??= chunk.system_fingerprint;
    if (chunk.usage !== null && typeof chunk.usage === 'object') this.#usage = chunk.usage as Record<string, unknown>;
    if (!Array.isArray(chunk.choices)) return;
    for (const raw of chunk.choices as Array<Record<string, unknown>>) {
      if (raw === null || typeof raw !== 'object' || typeof raw.index !== 'number') return this.#giveUp();
      this.#choice(raw.index, raw);
    }
  }

  #choice(index: number, raw: Record<string, unknown>): void {
    let parts = this.#choices.get(index);
    if (parts === undefined) {
      parts = { content: '', refusal: undefined, hasContent: false, tools: [], finishReason: null };
      this.#choices.set(index, parts);
    }
    const delta = (raw.delta ?? {}) as Record<string, unknown>;
    if (typeof delta.content === 'string') {
      parts.content += delta.content;
      parts.hasContent = true;
    }
    if (typeof delta.refusal === 'string') parts.refusal = (parts.refusal ?? '') + delta.refusal;
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls as Array<Record<string, unknown>>) {
        const i = typeof call?.index === 'number' ? call.index : parts.tools.length;
        const fn = (call.function ?? {}) as Record<string, unknown>;
        const tool = (parts.tools[i] ??= { type: 'function', name: '', arguments: '' });
        if (typeof call.id === 'string') tool.id = call.id;
        if (typeof call.type === 'string') tool.type = call.type;
        if (typeof fn.name === 'string') tool.name += fn.name;
        if (typeof fn.arguments === 'string') tool.arguments += fn.arguments;
      }
    }
    if (typeof raw.finish_reason === 'string') parts.finishReason = raw.finish_reason;
  }

  /**
   * The assembled chat.completion, or undefined when recording failed. Usage is the
   * provider's own when the stream carried it, else `metered` (the client did not ask for it).
   */
  completion(metered: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
    const usage = this.#usage ?? metered;
    if (this.#failed || this.#choices.size === 0) return undefined;
    const choices = [...this.#choices.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, parts]) => ({
        index,
        message: {
          role: 'assistant',
          content: parts.hasContent || parts.tools.length === 0 ? parts.content : null,
          refusal: parts.refusal ?? null,
          ...(parts.tools.length > 0
            ? { tool_calls: parts.tools.filter(Boolean).map((t) => ({ id: t.id, type: t.type, function: { name: t.name, arguments: t.arguments } })) }
            : {}),
        },
        logprobs: null,
        finish_reason: parts.finishReason,
      }));
    return {
      id: this.#id,
      object: 'chat.completion',
      created: this.#created,
      model: this.#model,
      ...(this.#fingerprint === undefined ? {} : { system_fingerprint: this.#fingerprint }),
      choices,
      ...(usage === undefined ? {} : { usage }),
    };
  }

  #giveUp(): void {
    this.#failed = true;
    this.#choices.clear();
  }
}
