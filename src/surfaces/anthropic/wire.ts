import type { SseWire } from '../../proxy/sse-writer.ts';
import { anthropicErrorEnvelope } from './errors.ts';

// Anthropic's stream ends with message_stop (no [DONE]); a failure past the commit point is
// an `error` event in Anthropic's envelope, which its SDKs raise as an exception.
export const ANTHROPIC_WIRE: SseWire = {
  done: undefined,
  error: (error) => Buffer.from(`event: error\ndata: ${JSON.stringify(anthropicErrorEnvelope(error))}\n\n`),
};
