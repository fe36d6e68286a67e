import { runIdFrom } from '../../metering/runs/run-id.ts';
import type { Stage } from '../context.ts';

/**
 * Reads the agent-run id (`server.runIdHeader`) once, for every stage that keys on it: run
 * guards, the router's side memory, and weighted-target pinning. A malformed id is a 400.
 */
export function readRunId(header: string): Stage {
  return async function readRunId(ctx, next) {
    ctx.runId = runIdFrom(ctx.incoming.headers[header], header);
    return next();
  };
}
