import type { Config } from '../config/schema.ts';
import type { Stage } from '../proxy/context.ts';
import { GatewayError } from '../proxy/errors.ts';
import { toolPermissions, type ToolPermissions } from './tool-permissions.ts';

// Pre-policy: the tools a request offers must be permitted for its tenant
// (`tenants.*.tools`). A request offering a denied (or not allowed) tool is refused 403
// `tool_not_allowed` before anything is spent on it, or, with `strip: true`, forwarded
// without that tool. Tenants without tool tiers skip this stage at no cost.

export function checkOfferedTools(config: Config): Stage {
  const byTenant = new Map<string, ToolPermissions>();
  for (const [name, tenant] of Object.entries(config.tenants)) if (tenant.tools !== undefined) byTenant.set(name, toolPermissions(tenant.tools));

  return async function checkOfferedTools(ctx, next) {
    const permissions = byTenant.get(ctx.tenant!.name);
    const tools = ctx.body?.tools;
    if (permissions === undefined || !Array.isArray(tools) || tools.length === 0) return next();
    const kept: unknown[] = [];
    const removed: string[] = [];
    tools.forEach((tool, i) => {
      const name = toolName(tool);
      if (name === undefined || permissions.permitted(name)) return void kept.push(tool);
      if (!permissions.strip) throw new GatewayError('tool_not_allowed', `The tool "${name.slice(0, 64)}" is not allowed for this key.`, { param: `tools[${i}]` });
      removed.push(name);
    });
    if (removed.length === 0) return next();
    const forced = forcedToolName(ctx.body!.tool_choice);
    if (forced !== undefined && removed.includes(forced)) {
      throw new GatewayError('tool_not_allowed', `tool_choice forces the tool "${forced.slice(0, 64)}", which is not allowed for this key.`, { param: 'tool_choice' });
    }
    const body: Record<string, unknown> = { ...ctx.body, tools: kept };
    if (kept.length === 0) {
      // OpenAI refuses tool_choice and parallel_tool_calls without tools.
      delete body.tools;
      delete body.tool_choice;
      delete body.parallel_tool_calls;
    }
    ctx.body = body;
    ctx.responseHeaders['x-tollgate-tools-stripped'] = String(removed.length);
    return next();
  };
}

function toolName(tool: unknown): string | undefined {
  const fn = (tool as { function?: { name?: unknown } } | null)?.function;
  return typeof fn?.name === 'string' ? fn.name : undefined;
}

function forcedToolName(choice: unknown): string | undefined {
  const fn = (choice as { function?: { name?: unknown } } | null)?.function;
  return typeof fn?.name === 'string' ? fn.name : undefined;
}
