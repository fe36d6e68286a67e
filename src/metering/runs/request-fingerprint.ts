import { createHash } from 'node:crypto';

// "The same request" for an agent: the same conversation and the same tools, re-sent. An agent
// that is making progress appends to its messages every step (the model's answer, the tool
// results), so identical messages and tools mean it is asking the same question again.
// Sampling settings and the model are left out: re-asking with another temperature or model
// is still the same question. The parsed body is re-serialised natively, which fixes
// whitespace and number forms and keeps the order keys were sent in (the same agent re-sending
// the same body sends them in the same order); it is fast and linear in the body's size,
// where sorting every object's keys would let a body of many small objects cost far more.

/** 16 hex digits, or undefined when the request nests too deeply to serialise. */
export function requestFingerprint(body: Readonly<Record<string, unknown>>): string | undefined {
  try {
    const hash = createHash('sha256').update(JSON.stringify(body.messages ?? null));
    return hash.update('\u0000').update(JSON.stringify(body.tools ?? null)).digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
}
