import { GatewayError } from './errors.ts';
import type { RequestCtx, Result, Stage } from './context.ts';

// The pipeline engine: an array of stages and an index. A stage may answer early or wrap
// `next()` to act on the way back.

export type Pipeline = (ctx: RequestCtx) => Promise<Result>;

const repeatable = new WeakSet<Stage>();

/**
 * Marks a stage allowed to call next() more than once (a repair asks the rest of the
 * pipeline again); for every other stage a second call is a bug and fails the request.
 */
export function callsNextAgain<S extends Stage>(stage: S): S {
  repeatable.add(stage);
  return stage;
}

export function compose(stages: readonly Stage[]): Pipeline {
  return (ctx) => {
    const dispatch = (i: number): Promise<Result> => {
      const stage = stages[i];
      if (stage === undefined) {
        return Promise.reject(new GatewayError('internal_error', 'The pipeline ended without an answer.'));
      }
      let called = false;
      return stage(ctx, () => {
        if (called && !repeatable.has(stage)) return Promise.reject(new GatewayError('internal_error', 'A stage called next() twice.'));
        called = true;
        return dispatch(i + 1);
      });
    };
    return dispatch(0);
  };
}
