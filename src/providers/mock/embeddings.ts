import { createHash } from 'node:crypto';

// Deterministic embeddings: the same input always gives the same unit vector, so
// similarity-based code can be exercised without a real model.

export function mockEmbedding(input: unknown, dimensions: number): Float32Array {
  const seed = createHash('sha256').update(JSON.stringify(input)).digest();
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const value = (seed[i % seed.length]! ^ (i * 31)) / 127.5 - 1;
    vector[i] = value;
    norm += value * value;
  }
  const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  for (let i = 0; i < dimensions; i++) vector[i] = vector[i]! * scale;
  return vector;
}

/** OpenAI's `encoding_format: "base64"`: the float32 little-endian bytes, base64-encoded. */
export function toBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}
