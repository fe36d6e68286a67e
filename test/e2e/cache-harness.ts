import { hashKey } from '../../src/config/keys.ts';
import { startHarness, type Harness, type HarnessOptions } from './harness.ts';

// The shared harness with the response cache on and tenants for isolation and shared scopes.

export const TEAM_C_KEY = 'tg-team-c-key';
export const EVALS_1_KEY = 'tg-evals-1-key';
export const EVALS_2_KEY = 'tg-evals-2-key';

export function startCacheHarness(options: HarnessOptions & { cache?: string } = {}): Promise<Harness> {
  return startHarness({
    ...options,
    topLevel: `${options.cache ?? 'cache: { kind: memory, ttl: 1h, maxBytes: 1mb, maxEntryBytes: 64kb }'}\n${options.topLevel ?? ''}`,
    tenants: `
  team-c:
    keys: ["${hashKey(TEAM_C_KEY)}"]
    models: [chat]
  evals-1:
    keys: ["${hashKey(EVALS_1_KEY)}"]
    models: [chat]
    cache: { scope: shared-evals, deterministicOnly: false }
  evals-2:
    keys: ["${hashKey(EVALS_2_KEY)}"]
    models: [chat]
    cache: { scope: shared-evals, deterministicOnly: false }
${options.tenants ?? ''}`,
  });
}

let counter = 0;
/** A request body no other test sends (so entries never cross tests). */
export function uniqueChat(extra: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return { model: 'chat', temperature: 0, messages: [{ role: 'user', content: `question ${counter} ${Math.random()}` }], ...extra };
}

/** Chat requests the fake upstream received so far. */
export function upstreamCalls(h: Harness): number {
  return h.fake.requests.filter((r) => r.path.endsWith('/chat/completions')).length;
}
