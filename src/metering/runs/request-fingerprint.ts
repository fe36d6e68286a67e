import { createHash } from 'node:crypto';
import { writeCanonical } from './canonical-json.ts';

// "The same request" for an agent: the same conversation and the same tools, re-sent. An agent
// that is making progress appends to its messages every step (the model's answer, the tool
// results), so an identical messages + tools pair means it is asking the same question
// again. Sampling settings and the model are left out: re-asking with another temperature or
// model is still the same question. Hashed in canonical form, piece by piece.

/** 32 hex digits, or undefined when the request nests too deeply to canonicalise. */
export function requestFingerprint(body: Readonly<Record<string, unknown>>): string | undefined {
  const hash = createHash('sha256');
  const sink = (piece: string) => hash.update(piece);
  if (!writeCanonical(body.messages ?? null, sink)) return undefined;
  sink('\u0000');
  if (!writeCanonical(body.tools ?? null, sink)) return undefined;
  return hash.digest('hex').slice(0, 32);
}
