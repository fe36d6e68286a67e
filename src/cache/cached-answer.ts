import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { Usage } from '../metering/usage.ts';

// One stored answer: the complete JSON body a non-streaming client would get (a provider's
// bytes, or a completion assembled from a stream), with what is needed to price it and to
// say how old it is. Encoded as a flag byte, a small JSON header and the body; bodies past
// a few KB are gzipped off the event loop (zlib runs on the thread pool).

export interface CachedAnswer {
  /** The JSON body (chat.completion or embeddings list). */
  readonly body: Buffer;
  /** When it was stored (ms since epoch). */
  readonly storedAt: number;
  /** The provider model that produced it (for pricing what a hit saved). */
  readonly model: string;
  readonly usage: Usage | undefined;
}

interface Header {
  readonly storedAt: number;
  readonly model: string;
  readonly usage?: Usage;
}

const RAW = 0;
const GZIP = 1;
const COMPRESS_FROM_BYTES = 4 * 1024;

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export async function encodeAnswer(answer: CachedAnswer): Promise<Buffer> {
  const header: Header = { storedAt: answer.storedAt, model: answer.model, ...(answer.usage ? { usage: answer.usage } : {}) };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.byteLength);
  const plain = Buffer.concat([length, headerBytes, answer.body]);
  if (plain.byteLength < COMPRESS_FROM_BYTES) return Buffer.concat([Buffer.of(RAW), plain]);
  return Buffer.concat([Buffer.of(GZIP), await gzipAsync(plain)]);
}

/** The stored answer, or undefined when the bytes are not one (a foreign or corrupt value is a miss). */
export async function decodeAnswer(encoded: Buffer): Promise<CachedAnswer | undefined> {
  try {
    const flag = encoded[0];
    const plain = flag === RAW ? encoded.subarray(1) : flag === GZIP ? await gunzipAsync(encoded.subarray(1)) : undefined;
    if (plain === undefined || plain.byteLength < 4) return undefined;
    const headerLength = plain.readUInt32BE(0);
    const header = JSON.parse(plain.subarray(4, 4 + headerLength).toString('utf8')) as Header;
    if (typeof header.storedAt !== 'number' || typeof header.model !== 'string') return undefined;
    return { body: plain.subarray(4 + headerLength), storedAt: header.storedAt, model: header.model, usage: header.usage };
  } catch {
    return undefined;
  }
}

/** Usage in OpenAI's wire shape, for assembled completions and replayed usage chunks. */
export function openAIUsage(usage: Usage | undefined): Record<string, unknown> | undefined {
  if (usage === undefined) return undefined;
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    ...(usage.cachedTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: usage.cachedTokens } }),
  };
}
