import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { errorOf, startHarness, type Harness } from './harness.ts';

// Run guards with state in Redis: parallel agents sharing one run id are counted atomically,
// and the run-id header name comes from config.

const KEY = 'tg-parallel-key';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    server: 'runIdHeader: X-Agent-Run',
    topLevel: `state: { kind: redis, url: "${inject('redisUrl')}", keyPrefix: "e2e-${randomUUID()}:" }`,
    tenants: `  parallel:\n    keys: ["${hashKey(KEY)}"]\n    models: [chat]\n    runs: { maxSteps: 5 }\n`,
  });
});
afterAll(() => h.close());

describe('run guards on Redis', () => {
  it('concurrent steps of one run never exceed maxSteps', async () => {
    const send = (i: number) =>
      h.post('/v1/chat/completions', { model: 'chat', messages: [{ role: 'user', content: `worker ${i}` }] }, { key: KEY, headers: { 'x-agent-run': 'shared-run' } });
    const responses = await Promise.all(Array.from({ length: 25 }, (_, i) => send(i)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const steps = responses.filter((r) => r.status === 200).map((r) => Number(r.headers.get('x-tollgate-run-step')));
    expect(steps.sort()).toEqual([1, 2, 3, 4, 5]);
    const refused = responses.find((r) => r.status === 429)!;
    expect((await errorOf(refused)).code).toBe('run_budget_exceeded');
    expect(h.fake.requests).toHaveLength(5);
  });

  it('reads the run id from the configured header only', async () => {
    const body = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] };
    const bad = await h.post('/v1/chat/completions', body, { key: KEY, headers: { 'x-agent-run': 'no spaces allowed' } });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toContain('x-agent-run');
    const other = await h.post('/v1/chat/completions', body, { key: KEY, headers: { 'x-tollgate-run-id': 'no spaces allowed' } });
    expect(other.status).toBe(200);
  });
});
