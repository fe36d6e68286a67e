import type { ToolCallsConfig } from '../../config/schema.ts';
import { describeErrors, type SchemaCache } from './schema-cache.ts';
import { capErrors, isRecord, OfferedTools, type CallToCheck, type ToolPermitted, type Verdict } from './validate.ts';

// What one request's answers are checked against: the tools it offered (and the tenant
// permits) and, with `response_format: json_schema`, the schema its text must satisfy.

export interface AnswerCheck {
  readonly tools: OfferedTools;
  /** Checks a whole text answer against `response_format.json_schema` (valid when there is none). */
  checkText(text: string): Verdict;
  readonly hasResponseSchema: boolean;
}

export function answerCheckFor(body: Record<string, unknown>, cache: SchemaCache, settings: ToolCallsConfig, permitted: ToolPermitted | undefined): AnswerCheck {
  const responseSchema = settings.responseFormat ? responseSchemaOf(body.response_format) : undefined;
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  // With no tools offered, any tool call the model makes is still checked (it was not offered).
  const tools = new OfferedTools(hasTools ? body.tools : [], cache, { permitted, limits: { maxArgumentBytes: settings.maxArgumentBytes, maxCalls: settings.maxCalls } });
  return {
    tools,
    hasResponseSchema: responseSchema !== undefined,
    checkText(text) {
      if (responseSchema === undefined) return { valid: true, errors: [] };
      if (text.length > settings.maxArgumentBytes) return { valid: false, errors: [`the answer is longer than ${settings.maxArgumentBytes} bytes`] };
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return { valid: false, errors: ['the answer is not valid JSON (response_format json_schema)'] };
      }
      const compiled = cache.compile(responseSchema);
      if (!compiled.ok) return { valid: false, errors: [compiled.reason] };
      try {
        if (compiled.validate(value)) return { valid: true, errors: [] };
      } catch {
        return { valid: false, errors: ['the response schema recurses without end'] };
      }
      return { valid: false, errors: capErrors(describeErrors(compiled.validate.errors).map((e) => `response: ${e.replace(/^arguments/, 'answer')}`)) };
    },
  };
}

/** `response_format: { type: json_schema, json_schema: { schema, strict } }` → the schema to hold the answer to. */
function responseSchemaOf(format: unknown): unknown {
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.json_schema)) return undefined;
  const { schema, strict } = format.json_schema;
  if (!isRecord(schema)) return undefined;
  return strict === true && !('additionalProperties' in schema) ? { ...schema, additionalProperties: false } : schema;
}

export interface ChoiceCalls {
  readonly choice: number;
  readonly calls: CallToCheck[];
  readonly content: string | undefined;
  readonly refused: boolean;
}

/** The tool calls and text of each choice of a non-streamed completion. */
export function choicesOf(completion: unknown): ChoiceCalls[] {
  const choices = isRecord(completion) && Array.isArray(completion.choices) ? completion.choices : [];
  return choices.map((choice, i) => {
    const message = isRecord(choice) && isRecord(choice.message) ? choice.message : {};
    const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
    return {
      choice: isRecord(choice) && typeof choice.index === 'number' ? choice.index : i,
      calls: calls.map((c) => {
        const fn = isRecord(c) && isRecord(c.function) ? c.function : {};
        return { name: typeof fn.name === 'string' ? fn.name : '', arguments: typeof fn.arguments === 'string' ? fn.arguments : '' };
      }),
      content: typeof message.content === 'string' ? message.content : undefined,
      refused: typeof message.refusal === 'string' && message.refusal !== '',
    };
  });
}

/** Checks every choice of a completion: its tool calls, or its text against the response schema. */
export function checkCompletion(completion: unknown, check: AnswerCheck): Verdict {
  const errors: string[] = [];
  const many = isRecord(completion) && Array.isArray(completion.choices) && completion.choices.length > 1;
  for (const choice of choicesOf(completion)) {
    const prefix = many ? `choice ${choice.choice}, ` : '';
    const verdict = choice.calls.length > 0 ? check.tools.checkAll(choice.calls) : textVerdict(choice, check);
    for (const e of verdict.errors) errors.push(prefix + e);
  }
  return { valid: errors.length === 0, errors: capErrors(errors) };
}

function textVerdict(choice: ChoiceCalls, check: AnswerCheck): Verdict {
  // A refusal carries no JSON (OpenAI's structured outputs answer refusals apart).
  if (!check.hasResponseSchema || choice.refused || choice.content === undefined) return { valid: true, errors: [] };
  return check.checkText(choice.content);
}
