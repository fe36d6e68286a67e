import type { Stage } from '../context.ts';
import { relayChatStream } from '../usage-relay.ts';

/** Sends the request to the chosen target and returns its answer: JSON, or a stream past its commit point. */
export function callUpstream(): Stage {
  return async function callUpstream(ctx) {
    const target = ctx.target!;
    // Set on the parsed body itself: copying it would cost as much as parsing it again.
    const body = ctx.body!;
    body.model = target.model;
    const call = { body, requestId: ctx.id, signal: ctx.signal };

    if (ctx.endpoint === 'embeddings') {
      const reply = await target.provider.embeddings(call);
      ctx.firstByteMs = performance.now() - ctx.startedAt;
      ctx.usage = reply.usage;
      return { kind: 'json', status: 200, body: reply.body, text: reply.text };
    }

    // Always ask for usage so every stream can be metered; the client still gets only what it asked for.
    if (ctx.stream) body.stream_options = { ...(body.stream_options as object | null | undefined), include_usage: true };
    const reply = await target.provider.chat(call, ctx.stream);
    ctx.firstByteMs = performance.now() - ctx.startedAt;
    if (reply.kind === 'json') {
      ctx.usage = reply.usage;
      return { kind: 'json', status: 200, body: reply.body, text: reply.text };
    }
    const relayed = relayChatStream(reply.events, ctx.clientWantsUsage, body);
    return { kind: 'stream', events: relayed.events, usage: relayed.usage };
  };
}
