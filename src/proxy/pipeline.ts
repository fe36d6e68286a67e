import { GatewayError } from './errors.ts';
import type { RequestCtx, Result, Stage } from './context.ts';

// The pipeline engine: an array of stages and an index. A stage may answer early or wrap
// `next()` to act on the way back.

export type Pipeline = (ctx: RequestCtx) => Promise<Result>;

export function compose(stages: readonly Stage[]): Pipeline {
  return (ctx) => {
    const dispatch = (i: number): Promise<Result> => {
      const stage = stages[i];
      if (stage === undefined) {
        return Promise.reject(new GatewayError('internal_error', 'The pipeline ended without an answer.'));
      }
      let called = false;
      return stage(ctx, () => {
        if (called) return Promise.reject(new GatewayError('internal_error', 'A stage called next() twice.'));
        called = true;
        return dispatch(i + 1);
      });
    };
    return dispatch(0);
  };
}
