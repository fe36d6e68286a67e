import type { Config } from '../../config/schema.ts';
import { fitToWindows, type OverflowMode } from '../../router/context-fit.ts';
import type { Stage } from '../context.ts';

/**
 * Checks the prompt against the plan's context windows before anything is sent: targets
 * too small for it are skipped (`fallback`), the conversation is trimmed to fit (`trim`,
 * said in `x-tollgate-trimmed`), or the request is refused (`reject`); 400
 * `context_length_exceeded` when nothing fits.
 */
export function fitContext(config: Config): Stage {
  const modes = new Map<string, OverflowMode>(Object.entries(config.models).map(([alias, model]) => [alias, model.contextOverflow]));
  return async function fitContext(ctx, next) {
    const plan = ctx.plan!;
    const fit = fitToWindows(ctx.body!, plan.targets, modes.get(plan.alias) ?? 'fallback');
    if (fit.targets !== plan.targets) {
      ctx.plan = { ...plan, targets: fit.targets };
      ctx.target = fit.targets[0];
    }
    if (fit.body !== undefined) ctx.body = fit.body;
    if (fit.trimmed !== undefined) {
      ctx.responseHeaders['x-tollgate-trimmed'] = `messages=${fit.trimmed.messages}; tokens=${fit.trimmed.tokens}`;
    }
    return next();
  };
}
