import type { RequestCtx } from './context.ts';

// `x-tollgate-flags`: what policies noticed about a response that was still served. Every
// policy adds to the one header (comma-separated, each flag once), none overwrites it.

export const FLAGS_HEADER = 'x-tollgate-flags';

export function addFlags(ctx: RequestCtx, flags: readonly string[]): void {
  const current = ctx.responseHeaders[FLAGS_HEADER];
  const all = current === undefined || current === '' ? [] : current.split(/\s*,\s*/);
  for (const flag of flags) if (!all.includes(flag)) all.push(flag);
  if (all.length > 0) ctx.responseHeaders[FLAGS_HEADER] = all.join(', ');
}
