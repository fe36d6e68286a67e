import type { ToolCallsConfig } from '../../config/schema.ts';
import type { Usage } from '../../metering/usage.ts';
import type { SseEvent } from '../../providers/types.ts';
import type { StreamResult } from '../../proxy/context.ts';
import { GatewayError } from '../../proxy/errors.ts';
import type { AnswerCheck } from './answer-check.ts';
import type { AssembledTurn } from './feedback.ts';
import { addUsage, invalidError, type Outcome } from './outcome.ts';
import { StreamedCalls, type StreamedCall } from './stream-calls.ts';
import { capErrors, isRecord } from './validate.ts';

// Validates tool calls in a stream. Text deltas pass at once; each tool call's deltas are
// held until the call is complete (the next call of its choice starts, its choice finishes,
// or the stream ends), checked, and released as one delta with its index, so nothing
// invalid reaches the client. Invalid: `reject` ends the stream with an `invalid_tool_call`
// error event (no [DONE]); `annotate` releases the call with `tollgate_flags`; `repair` is
// possible only while nothing of the answer was sent: when a call starts before any text
// went out, everything from there on is held to the end, and an invalid answer is dropped
// and asked again (the new stream is checked the same way); otherwise it acts as `reject`.
// `shadow` passes every event as received and only reports.

const HAS_TOOL_CALLS = /"tool_calls"\s*:\s*\[/;
const HAS_FINISH = /"finish_reason"\s*:\s*"/;
const HAS_TEXT = /"(?:content|refusal)"\s*:\s*"(?!")/;

export interface StreamGuardOptions {
  readonly check: AnswerCheck;
  readonly settings: ToolCallsConfig;
  readonly report: (outcome: Outcome, errors: readonly string[]) => void;
  /** Asks again with the invalid turn and its errors appended. */
  readonly reask: (turn: AssembledTurn) => Promise<StreamResult>;
}

export function guardStream(first: StreamResult, options: StreamGuardOptions): StreamResult {
  const guard = new StreamGuard(first, options);
  return { kind: 'stream', events: guard, usage: guard.usage };
}

class StreamGuard implements AsyncIterableIterator<SseEvent> {
  readonly usage: Promise<Usage>;
  readonly #resolveUsage: (usage: Promise<Usage>) => void;
  readonly #options: StreamGuardOptions;
  readonly #shadow: boolean;
  readonly #usages: Promise<Usage>[];
  #source: AsyncIterator<SseEvent>;
  #repairsLeft: number;
  readonly #out: SseEvent[] = [];
  #done = false;
  #finished = false;
  // Per attempt:
  #calls!: StreamedCalls;
  #textReleased = false;
  #holdAll = false;
  #held: SseEvent[] = [];
  #heldChars = 0;
  #content = '';
  #template: Record<string, unknown> = {};

  constructor(first: StreamResult, options: StreamGuardOptions) {
    const { promise, resolve } = Promise.withResolvers<Usage>();
    this.usage = promise;
    this.#resolveUsage = (p) => void p.then(resolve, () => resolve({ promptTokens: 0, completionTokens: 0, totalTokens: 0, source: 'estimated' }));
    this.#options = options;
    this.#shadow = options.settings.mode === 'shadow';
    this.#usages = [first.usage];
    this.#source = first.events[Symbol.asyncIterator]();
    this.#repairsLeft = options.settings.onInvalid === 'repair' && !this.#shadow ? options.settings.maxRepairs : 0;
    this.#newAttempt();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  async next(): Promise<IteratorResult<SseEvent>> {
    for (;;) {
      const ready = this.#out.shift();
      if (ready !== undefined) return { done: false, value: ready };
      if (this.#done) return this.#finish();
      try {
        const step = await this.#source.next();
        if (step.done) await this.#atEnd();
        else this.#onEvent(step.value);
      } catch (err) {
        this.#done = true;
        this.#out.length = 0;
        // Ends the upstream request (its usage settles as it stands) before the error goes out.
        await this.#source.return?.().catch(() => {});
        this.#finish();
        throw err;
      }
    }
  }

  async return(): Promise<IteratorResult<SseEvent>> {
    this.#done = true;
    await this.#source.return?.();
    return this.#finish();
  }

  #finish(): IteratorResult<SseEvent> {
    if (!this.#finished) {
      this.#finished = true;
      // Every attempt is metered: the usage of each re-ask adds to the first.
      this.#resolveUsage(Promise.all(this.#usages).then((all) => all.reduce(addUsage)));
    }
    return { done: true, value: undefined };
  }

  #newAttempt(): void {
    this.#calls = new StreamedCalls(this.#options.settings.maxArgumentBytes, this.#options.settings.maxCalls);
    this.#holdAll = false;
    this.#held = [];
    this.#heldChars = 0;
    this.#content = '';
  }

  #onEvent(event: SseEvent): void {
    const hasCalls = HAS_TOOL_CALLS.test(event.data);
    const parse = hasCalls || HAS_FINISH.test(event.data) || this.#options.check.hasResponseSchema;
    if (this.#shadow) {
      this.#out.push(event);
      if (parse) this.#track(event, false);
      return;
    }
    if (this.#holdAll) {
      this.#heldChars += event.data.length;
      // Bounded like the calls themselves: an answer too large to hold is invalid.
      if (this.#heldChars > this.#options.settings.maxArgumentBytes * 2 + 64 * 1024) throw this.#invalid(['the answer is too large to hold for validation']);
      this.#held.push(event);
      this.#track(event, false);
      return;
    }
    if (!parse) {
      if (!this.#textReleased && HAS_TEXT.test(event.data)) this.#textReleased = true;
      this.#out.push(event);
      return;
    }
    if (hasCalls && this.#repairsLeft > 0 && !this.#textReleased) {
      // A call starts and nothing of the answer was sent yet: hold the rest, so it can be asked again.
      this.#holdAll = true;
      this.#onEvent(event);
      return;
    }
    this.#track(event, true);
  }

  /** Follows one event's calls and text; with `relay`, releases complete calls and the rest of the event. */
  #track(event: SseEvent, relay: boolean): void {
    let chunk: unknown;
    try {
      chunk = event.data.length > this.#options.settings.maxArgumentBytes * 2 + 64 * 1024 ? undefined : JSON.parse(event.data);
    } catch {
      chunk = undefined;
    }
    if (!isRecord(chunk)) {
      if (HAS_TOOL_CALLS.test(event.data)) throw this.#invalid(['a tool-call chunk that cannot be read']);
      if (relay) this.#out.push(event);
      return;
    }
    if (this.#template.id === undefined) this.#template = { id: chunk.id, object: chunk.object, created: chunk.created, model: chunk.model };
    let stripped = false;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    for (const choice of choices) {
      if (!isRecord(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      const delta = isRecord(choice.delta) ? choice.delta : {};
      if (Array.isArray(delta.tool_calls)) {
        const superseded = this.#calls.feed(index, delta.tool_calls);
        if (this.#calls.tooMany) throw this.#invalid([`more than ${this.#options.settings.maxCalls} tool calls in one answer`]);
        if (relay) {
          this.#complete(this.#calls.take({ keys: superseded }));
          delete delta.tool_calls;
          stripped = true;
        }
      }
      if (index === 0 && typeof delta.content === 'string' && this.#content.length <= this.#options.settings.maxArgumentBytes) this.#content += delta.content;
      if (typeof delta.content === 'string' && delta.content !== '') this.#textReleased ||= relay;
      if (relay && choice.finish_reason !== null && choice.finish_reason !== undefined) this.#complete(this.#calls.take({ choice: index }));
    }
    if (!relay) return;
    if (!stripped) return void this.#out.push(event);
    // What is left of a chunk whose tool-call deltas were taken: pass it if it still says something.
    const says = choices.some((c) => isRecord(c) && (Object.keys(isRecord(c.delta) ? c.delta : {}).length > 0 || (c.finish_reason ?? null) !== null)) || (chunk.usage ?? null) !== null;
    if (says) this.#out.push({ data: JSON.stringify(chunk) });
  }

  /** Checks complete calls and releases them (valid, or flagged under annotate), or fails the stream. */
  #complete(calls: readonly StreamedCall[]): void {
    for (const call of calls) {
      const errors = this.#errorsOf(call);
      if (errors.length === 0) {
        this.#out.push(this.#release(call, undefined));
        continue;
      }
      if (this.#options.settings.onInvalid !== 'annotate') throw this.#invalid(errors);
      this.#options.report('annotated', errors);
      this.#out.push(this.#release(call, ['invalid_tool_call']));
    }
  }

  #errorsOf(call: StreamedCall): string[] {
    if (call.overflow) return [`call ${call.index} (${call.name.slice(0, 64)}): arguments longer than ${this.#options.settings.maxArgumentBytes} bytes`];
    return this.#options.check.tools.check(call, call.index).errors.map((e) => `call ${call.index} (${call.name.slice(0, 64)}): ${e}`);
  }

  #release(call: StreamedCall, flags: string[] | undefined): SseEvent {
    const toolCall = { index: call.index, id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
    const chunk = { ...this.#template, choices: [{ index: call.choice, delta: { tool_calls: [toolCall] }, finish_reason: null }], ...(flags ? { tollgate_flags: flags } : {}) };
    return { data: JSON.stringify(chunk) };
  }

  async #atEnd(): Promise<void> {
    const calls = this.#calls.take({});
    if (this.#shadow) {
      const errors = [...calls.flatMap((c) => this.#errorsOf(c)), ...this.#textErrors(calls)];
      if (errors.length > 0) this.#options.report('shadow', capErrors(errors));
      this.#done = true;
      return;
    }
    if (!this.#holdAll) {
      this.#complete(calls);
      const errors = this.#textErrors(calls);
      // Text was sent as it came: an answer that breaks its response schema can only end badly or be flagged.
      if (errors.length > 0 && this.#options.settings.onInvalid !== 'annotate') throw this.#invalid(errors);
      if (errors.length > 0) this.#options.report('annotated', errors);
      this.#done = true;
      return;
    }
    const errors = capErrors(calls.flatMap((c) => this.#errorsOf(c)));
    if (errors.length === 0) {
      this.#out.push(...this.#held);
      this.#done = true;
      return;
    }
    // Repair: the whole answer is still here; nothing of it was sent.
    this.#repairsLeft--;
    this.#options.report('repair', errors);
    const retry = await this.#options.reask({ content: this.#content === '' ? null : this.#content, calls });
    this.#usages.push(retry.usage);
    this.#source = retry.events[Symbol.asyncIterator]();
    this.#newAttempt();
  }

  #textErrors(calls: readonly StreamedCall[]): readonly string[] {
    if (calls.length > 0 || !this.#options.check.hasResponseSchema) return [];
    return this.#options.check.checkText(this.#content).errors;
  }

  #invalid(errors: readonly string[]): GatewayError {
    this.#options.report('rejected', errors);
    return invalidError(errors);
  }
}
