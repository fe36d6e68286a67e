import { describe, expect, it } from 'vitest';
import { newRequestCtx } from './context.ts';
import { addFlags, FLAGS_HEADER } from './response-flags.ts';

describe('x-tollgate-flags', () => {
  it('collects every policy\'s flags once, in order', () => {
    const ctx = newRequestCtx('r', 'chat', { headers: {} } as never, new AbortController().signal);
    addFlags(ctx, ['injection:tool:2:spotlight']);
    addFlags(ctx, ['tool_call_repaired', 'injection:tool:2:spotlight']);
    expect(ctx.responseHeaders[FLAGS_HEADER]).toBe('injection:tool:2:spotlight, tool_call_repaired');
    addFlags(ctx, []);
    expect(ctx.responseHeaders[FLAGS_HEADER]).toBe('injection:tool:2:spotlight, tool_call_repaired');
  });
});
