import type { Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';

/** Size guards that run before anything is spent (the body size is enforced while reading). */
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
