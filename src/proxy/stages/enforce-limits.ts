import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';

/**
 * Cheap size guards on the parsed body, before the schema walks it (the body's size, depth
 * and key count are enforced while reading and parsing).
 */
export function enforceLimits(limits: { maxMessages: number }): Stage {
  return async function enforceLimits(ctx, next) {
    const messages = ctx.body?.messages;
    if (Array.isArray(messages) && messages.length > limits.maxMessages) {
      throw new GatewayError(
        'invalid_request',
        `Too many messages: ${messages.length}; this gateway accepts at most ${limits.maxMessages}.`,
        { param: 'messages' },
      );
    }
    return next();
  };
}
