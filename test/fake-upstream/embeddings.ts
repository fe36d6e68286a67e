// POST /v1/embeddings: deterministic unit vectors (same input → same vector), one per input,
// honouring `dimensions` and `encoding_format: "base64"` (which the openai SDK requests by default).
import { openAiError, openAiErrorForStatus, unparsableJsonError } from './openai-errors.ts';
import { applyCommonBehaviour, sendJson } from './respond.ts';
import { bodyObject, hasJsonObjectBody, type Route } from './route.ts';
import { estimateTokens } from './text-pieces.ts';

const DEFAULT_MODEL = 'fake-embedding-model';
const MAX_DIMENSIONS = 8192;

/** Native dimensions of the real models; anything else gets text-embedding-3-small's 1536. */
function nativeDimensions(model: string): number {
  if (model.includes('3-large')) return 3072;
  return 1536;
}

/** Each input as the text it is keyed on plus its token count; undefined when `input` is malformed. */
function normaliseInputs(input: unknown): Array<{ key: string; tokens: number }> | undefined {
  const isTokenArray = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'number');
  if (typeof input === 'string') return [{ key: input, tokens: estimateTokens(input) }];
  if (isTokenArray(input)) return [{ key: JSON.stringify(input), tokens: input.length }];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  const out: Array<{ key: string; tokens: number }> = [];
  for (const item of input) {
    if (typeof item === 'string') out.push({ key: item, tokens: estimateTokens(item) });
    else if (isTokenArray(item)) out.push({ key: JSON.stringify(item), tokens: item.length });
    else return undefined;
  }
  return out;
}

/** FNV-1a over UTF-16 code units: a stable 32-bit seed per input. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32-driven values in [-1, 1], normalised to unit length like OpenAI's embeddings. */
export function deterministicVector(text: string, dimensions: number): Float32Array {
  let state = hashSeed(text);
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const x = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    v[i] = x;
    norm += x * x;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) v[i] = v[i]! * scale;
  return v;
}

function encodeVector(v: Float32Array, format: unknown): number[] | string {
  if (format === 'base64') return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  return Array.from(v);
}

export const embeddingsRoute: Route = {
  method: 'POST',
  path: '/v1/embeddings',
  scripted: true,
  async handle(ex, b) {
    if (await applyCommonBehaviour(ex, b, { streaming: false, errorBodyFor: openAiErrorForStatus })) return;
    if (!hasJsonObjectBody(ex)) {
      sendJson(ex, {}, 400, unparsableJsonError());
      return;
    }
    const body = bodyObject(ex);
    const inputs = normaliseInputs(body.input);
    if (!inputs) {
      sendJson(ex, {}, 400, openAiError("'input' must be a non-empty string, array of strings or array of token arrays.", 'invalid_request_error', null, 'input'));
      return;
    }
    const model = typeof body.model === 'string' ? body.model : DEFAULT_MODEL;
    const requested = body.dimensions;
    const dimensions =
      typeof requested === 'number' && Number.isInteger(requested) && requested >= 1 && requested <= MAX_DIMENSIONS
        ? requested
        : nativeDimensions(model);
    const promptTokens = b.usage?.prompt_tokens ?? inputs.reduce((sum, i) => sum + i.tokens, 0);
    await sendJson(ex, b, 200, {
      object: 'list',
      data: inputs.map((input, index) => ({
        object: 'embedding',
        index,
        embedding: encodeVector(deterministicVector(input.key, dimensions), body.encoding_format),
      })),
      model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    }, b.contentType);
  },
};
