import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Harness } from './harness.ts';
import { admin, agentOf, decide, RUN_HEADER, keyOf, startApprovalsHarness, startHook, tools, type Hook } from './approvals-harness.ts';

// Approvals with state in Redis: two gateways share them (proposed on one, decided and
// released on the other), and a decision is collected by exactly one of many concurrent
// requests of the run.

let a: Harness;
let b: Harness;
let hook: Hook;
beforeAll(async () => {
  hook = await startHook();
  const state = `state: { kind: redis, url: "${inject('redisUrl')}", keyPrefix: "e2e-${randomUUID()}:" }`;
  a = await startApprovalsHarness(hook, '', state);
  b = await startApprovalsHarness(hook, '', state);
});
afterAll(async () => {
  await a.close();
  await b.close();
  await hook.close();
});

const messages = [{ role: 'user' as const, content: 'refund it' }];

describe('approvals on Redis', () => {
  it('are proposed on one gateway, decided and released on another, once', async () => {
    a.fake.enqueue({ toolCalls: [{ name: 'issue_refund', arguments: '{"order":"R-1"}' }] });
    const { response } = await agentOf(a, 'support-bot', 'redis-run-1').chat.completions.create({ model: 'chat', messages, tools }).withResponse();
    const id = response.headers.get('x-tollgate-approval')!;
    expect(id).toMatch(/^apr_/);
    const listed = await (await admin(b, '/admin/approvals?tenant=support-bot&status=pending')).json();
    expect(listed.data.map((x: { id: string }) => x.id)).toEqual([id]);
    expect((await decide(b, id, 'approve')).status).toBe(200);
    expect((await decide(a, id, 'approve')).status).toBe(409);

    // Ten concurrent steps of the run: exactly one gets the released call; the others go upstream.
    b.fake.setDefault({ content: 'carry on' });
    const send = () =>
      b.post('/v1/chat/completions', { model: 'chat', messages, tools }, { key: keyOf('support-bot'), headers: { [RUN_HEADER]: 'redis-run-1' } }).then((r) => r.json());
    const answers = await Promise.all(Array.from({ length: 10 }, send));
    const released = answers.filter((x) => x.choices[0].finish_reason === 'tool_calls');
    expect(released).toHaveLength(1);
    expect(released[0].choices[0].message.tool_calls[0].function).toEqual({ name: 'issue_refund', arguments: '{"order":"R-1"}' });
    expect(b.fake.requests).toHaveLength(9);
    expect((await (await admin(a, `/admin/approvals?status=released`)).json()).data.map((x: { id: string }) => x.id)).toEqual([id]);
  });
});
