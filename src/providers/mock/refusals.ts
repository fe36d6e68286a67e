import { estimateTokens } from '../../metering/usage.ts';
import { GatewayError } from '../../proxy/errors.ts';

// What the real API refuses, the mock refuses too, before computing anything: a request
// must never make the in-process mock build something huge (a 100-million-dimension vector,
// a million inputs). Refusals look like an OpenAI 400, relayed as the provider's own.

/** OpenAI's limits for embeddings and chat, as documented. */
export const MOCK_LIMITS = {
  maxDimensions: 3072,
  maxInputs: 2048,
  maxInputTokens: 8192,
  maxRequestTokens: 300_000,
  maxTools: 128,
  maxChoices: 128,
} as const;

export function refuse(message: string, param: string, code = 'invalid_value'): GatewayError {
  return new GatewayError('invalid_request', message, {
    param,
    relayed: { status: 400, type: 'invalid_request_error', code },
  });
}

/** Native vector size of a mock embedding model: the OpenAI model it is named after, else the largest. */
export function nativeDimensions(model: string): number {
  return /3-small|ada-002/.test(model) ? 1536 : MOCK_LIMITS.maxDimensions;
}

/** The requested dimensions, checked; `fallback` when the request names none. */
export function checkedDimensions(raw: unknown, model: string, fallback: number): number {
  if (raw === undefined || raw === null) return Math.min(fallback, nativeDimensions(model));
  const max = nativeDimensions(model);
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > max) {
    throw refuse(`Invalid 'dimensions': ${String(JSON.stringify(raw)).slice(0, 40)}. Model "${model}" takes an integer from 1 to ${max}.`, 'dimensions');
  }
  return raw;
}

type EmbeddingInput = string | readonly number[];

/** The inputs of an embeddings request (a string, a token array, or a list of either), checked. */
export function checkedInputs(raw: unknown): EmbeddingInput[] {
  const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t) && t >= 0);
  let inputs: unknown[];
  if (typeof raw === 'string' || isTokens(raw)) inputs = [raw];
  else if (Array.isArray(raw)) inputs = raw;
  else throw refuse("'input' must be a string, an array of strings, or an array of token arrays.", 'input', 'invalid_type');
  if (inputs.length === 0) throw refuse("'input' must not be empty.", 'input');
  if (inputs.length > MOCK_LIMITS.maxInputs) {
    throw refuse(`'input' has ${inputs.length} items; at most ${MOCK_LIMITS.maxInputs} are allowed.`, 'input');
  }
  let total = 0;
  inputs.forEach((input, i) => {
    if (typeof input !== 'string' && !isTokens(input)) {
      throw refuse(`'input[${i}]' must be a non-empty string or an array of token ids.`, 'input', 'invalid_type');
    }
    const tokens = typeof input === 'string' ? estimateTokens(input.length) : input.length;
    if (tokens > MOCK_LIMITS.maxInputTokens) {
      throw refuse(
        `This model's maximum context length is ${MOCK_LIMITS.maxInputTokens} tokens, however input[${i}] has about ${tokens} tokens. Please reduce the length of the input.`,
        'input',
        'context_length_exceeded',
      );
    }
    total += tokens;
  });
  if (total > MOCK_LIMITS.maxRequestTokens) {
    throw refuse(`The inputs total about ${total} tokens; at most ${MOCK_LIMITS.maxRequestTokens} are allowed per request.`, 'input');
  }
  return inputs as EmbeddingInput[];
}

/** Chat parameters whose size the real API bounds. The mock answers one choice whatever `n` is. */
export function checkChatRequest(body: Record<string, unknown>): void {
  if (Array.isArray(body.tools) && body.tools.length > MOCK_LIMITS.maxTools) {
    throw refuse(`'tools' has ${body.tools.length} items; at most ${MOCK_LIMITS.maxTools} are allowed.`, 'tools');
  }
  const n = body.n;
  if (n !== undefined && n !== null && (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MOCK_LIMITS.maxChoices)) {
    throw refuse(`Invalid 'n': must be an integer from 1 to ${MOCK_LIMITS.maxChoices}.`, 'n');
  }
}
