import { estimateTokens, type Usage } from '../../metering/usage.ts';
import type { SseEvent } from '../../providers/types.ts';
import { findUsage } from '../../providers/usage-scan.ts';
import type { NativeSurface } from '../../proxy/context.ts';
import type { GatewayError } from '../../proxy/errors.ts';
import { tapStream } from '../../proxy/stream-tap.ts';
import type { ResolvedTarget } from '../../router/model-table.ts';

// Targets that speak the Responses API get the client's own body (only `model` set, and the
// output cap a budget reserved when the client set none) and their answer is relayed as
// received; usage for metering comes from the body's `usage`, or a stream's terminal event.

type Json = Record<string, unknown>;

const TERMINAL = /^\s*\{\s*"type"\s*:\s*"response\.(?:completed|incomplete|failed)"/;

/**
 * `problem`: the first thing translation could not carry (a hosted tool, an unknown item, a
 * previous response this gateway did not store); it refuses only translated targets.
 */
export function responsesNative(original: Json, problem: GatewayError | undefined): NativeSurface {
  const speaks = (target: ResolvedTarget) => target.provider.responses !== undefined;
  return {
    speaks,
    call(target, call, stream) {
      if (!speaks(target)) {
        if (problem !== undefined) throw problem;
        return undefined;
      }
      const body: Json = { ...original, model: target.model };
      const cap = call.body.max_completion_tokens;
      if (original.max_output_tokens == null && typeof cap === 'number') body.max_output_tokens = cap;
      return target.provider.responses!({ ...call, body }, stream);
    },
    relayStream(events) {
      let reported: Usage | undefined;
      let count = 0;
      const { promise, resolve } = Promise.withResolvers<Usage>();
      const relayed = tapStream(events, {
        map(event: SseEvent) {
          count++;
          if (TERMINAL.test(event.data)) reported = findUsage(event.data.slice(-16 * 1024)) ?? findUsage(event.data) ?? reported;
          return event;
        },
        end() {
          resolve(reported ?? estimated(original, count));
        },
      });
      return { events: relayed, usage: promise };
    },
  };
}

/** A native stream cut before its terminal event: about one token per event, the prompt sized from its text. */
function estimated(original: Json, events: number): Usage {
  const prompt = estimateTokens(JSON.stringify(original.input ?? '').length + String(original.instructions ?? '').length);
  return { promptTokens: prompt, completionTokens: events, totalTokens: prompt + events, source: 'estimated' };
}
