import type { Logger } from 'pino';
import { addFlags } from '../response-flags.ts';
import type { Config } from '../../config/schema.ts';
import { resolvePolicy, scanMessages, textOf, type InjectionPolicy, type Verdict } from '../../policies/injection/policy.ts';
import { spotlight } from '../../policies/injection/spotlight.ts';
import type { RequestCtx, Stage } from '../context.ts';
import { GatewayError } from '../errors.ts';

// Pre-policy: scores the user and tool messages of a chat request for prompt injection
// before routing and before anything is cached or sent. Per verdict: `block` (400
// prompt_blocked naming the message and channel, never quoting it), `flag` (forwarded,
// x-tollgate-flags), `spotlight` (tool content forwarded inside untrusted-data delimiters).
// `shadow` mode logs what would have happened and changes nothing.


export function filterInjection(config: Config, logger: Logger): Stage | undefined {
  const global = config.policies.injection;
  const byTenant = new Map<string, InjectionPolicy | undefined>();
  for (const [name, tenant] of Object.entries(config.tenants)) byTenant.set(name, resolvePolicy(global, tenant.policies?.injection));
  if (![...byTenant.values()].some((p) => p !== undefined)) return undefined;

  return async function filterInjection(ctx, next) {
    const policy = ctx.tenant === undefined ? undefined : byTenant.get(ctx.tenant.name);
    const messages = ctx.body?.messages;
    if (policy === undefined || !Array.isArray(messages)) return next();
    const verdicts = await scanMessages(messages, policy, ctx.signal);
    if (verdicts.length === 0) return next();
    for (const v of verdicts) logVerdict(logger, ctx, v, policy.mode);
    if (policy.mode === 'shadow') return next();

    const blocked = verdicts.find((v) => v.action === 'block');
    if (blocked !== undefined) {
      throw new GatewayError('prompt_blocked', `Message ${blocked.index} (channel ${blocked.channel}) was blocked by the prompt-injection filter.`, {
        param: `messages[${blocked.index}]`,
      });
    }
    // Appended: other policies may flag the same response.
    const flags = verdicts.map((v) => `injection:${v.channel}:${v.index}:${v.action}`);
    addFlags(ctx, flags);
    const spotlit = verdicts.filter((v) => v.action === 'spotlight');
    if (spotlit.length > 0) {
      // A copy: the client's parsed body is left as it was.
      const copy = messages.slice();
      for (const v of spotlit) {
        const message = copy[v.index] as Record<string, unknown>;
        copy[v.index] = { ...message, content: spotlight(textOf(message.content)) };
      }
      ctx.body = { ...ctx.body, messages: copy };
    }
    return next();
  };
}

/** One line per verdict: never the text. */
function logVerdict(logger: Logger, ctx: RequestCtx, v: Verdict, mode: InjectionPolicy['mode']): void {
  logger.warn(
    { reqId: ctx.id, tenant: ctx.tenant?.name, policy: 'injection', channel: v.channel, message: v.index, score: Math.round(v.score * 1000) / 1000, action: v.action, mode, by: v.by },
    mode === 'shadow' ? 'prompt injection detected (shadow: not acted on)' : 'prompt injection detected',
  );
}
