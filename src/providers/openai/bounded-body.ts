import type { Readable } from 'node:stream';
import { GatewayError } from '../../proxy/errors.ts';

// Reads a provider's non-streaming body into one Buffer, never past `maxBytes`. A declared
// Content-Length over the limit is refused before any byte is read; an undeclared (chunked)
// body is refused as soon as it crosses the limit. The caller cancels the request on a
// refusal, which destroys the connection, so the rest of the body is never downloaded.

export interface BodyReadOptions {
  readonly provider: string;
  readonly maxBytes: number;
  /** The response's Content-Length, when it declared one. */
  readonly declaredLength: number | undefined;
  /** Called for every chunk (restarts the provider's idle clock). */
  readonly onChunk: () => void;
}

export function tooLarge(provider: string, maxBytes: number, what: string): GatewayError {
  return new GatewayError(
    'upstream_response_too_large',
    `Provider "${provider}" sent ${what} larger than this gateway accepts (${maxBytes} bytes; see providers.${provider}.maxResponseBytes).`,
  );
}

/** Content-Length as a number, or undefined when absent or not a plain decimal. */
export function declaredLength(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}

/**
 * With a declared length the bytes are copied into one buffer allocated up front (a single
 * copy of the body is ever held); otherwise chunks are kept and joined once at the end.
 */
export function readBounded(body: Readable, options: BodyReadOptions): Promise<Buffer> {
  const { provider, maxBytes, declaredLength: declared, onChunk } = options;
  if (declared !== undefined && declared > maxBytes) {
    body.destroy();
    return Promise.reject(tooLarge(provider, maxBytes, 'a response'));
  }
  return new Promise((resolve, reject) => {
    const fixed = declared === undefined ? undefined : Buffer.allocUnsafe(declared);
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: unknown) => {
      body.off('data', onData);
      body.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      onChunk();
      const next = size + chunk.length;
      if (next > maxBytes || (fixed !== undefined && next > fixed.length)) {
        fail(next > maxBytes ? tooLarge(provider, maxBytes, 'a response') : new Error('body longer than its Content-Length'));
        return;
      }
      if (fixed === undefined) chunks.push(chunk);
      else chunk.copy(fixed, size);
      size = next;
    };
    body.on('data', onData);
    body.once('end', () => {
      if (fixed !== undefined) resolve(size === fixed.length ? fixed : fixed.subarray(0, size));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    body.once('error', reject);
  });
}
