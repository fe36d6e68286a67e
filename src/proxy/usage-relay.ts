import { estimateTokens, usageFromOpenAI, type Usage } from '../metering/usage.ts';
import type { SseEvent } from '../providers/types.ts';
import { findUsage } from '../providers/usage-scan.ts';
import { tapStream } from './stream-tap.ts';

// Watches a chat stream for the provider's usage chunk (the gateway always asks for one)
// and hands the client only what it asked for. Chunks are passed on as received; only a
// chunk that carries usage is parsed, found by a cheap text test first.

const HAS_USAGE = /"usage"\s*:\s*\{/;
// Usage chunks are a few hundred bytes. A giant event that mentions usage is not parsed
// whole (that would block the event loop for as long as the event is large): its usage is
// read from its tail and the event is relayed as it is.
const PARSE_WHOLE_CHARS = 64 * 1024;
const TAIL_CHARS = 16 * 1024;

export interface RelayedStream {
  readonly events: AsyncIterable<SseEvent>;
  readonly usage: Promise<Usage>;
}

export function relayChatStream(
  source: AsyncIterable<SseEvent>,
  clientWantsUsage: boolean,
  requestBody: Record<string, unknown>,
): RelayedStream {
  let reported: Usage | undefined;
  let chunks = 0;
  const { promise, resolve } = Promise.withResolvers<Usage>();

  const events = tapStream(source, {
    map(event) {
      chunks++;
      if (!HAS_USAGE.test(event.data)) return event;
      if (event.data.length > PARSE_WHOLE_CHARS) {
        reported = findUsage(event.data.slice(-TAIL_CHARS)) ?? reported;
        return event;
      }
      let chunk: Record<string, unknown>;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        return event;
      }
      const usage = usageFromOpenAI(chunk.usage);
      if (usage === undefined) return event;
      reported = usage;
      if (clientWantsUsage) return event;
      // The client did not ask: drop the usage-only chunk, or strip usage from a content chunk.
      if (!Array.isArray(chunk.choices) || chunk.choices.length === 0) return undefined;
      delete chunk.usage;
      return { data: JSON.stringify(chunk) };
    },
    end() {
      resolve(reported ?? estimateStreamUsage(requestBody, chunks));
    },
  });
  return { events, usage: promise };
}

/**
 * When a stream ends without the provider's usage (it was cut), estimate: providers send
 * about one token per chunk, and the prompt is sized from its text.
 */
function estimateStreamUsage(body: Record<string, unknown>, chunks: number): Usage {
  const promptTokens = estimateTokens(JSON.stringify(body.messages ?? '').length);
  return { promptTokens, completionTokens: chunks, totalTokens: promptTokens + chunks, source: 'estimated' };
}
