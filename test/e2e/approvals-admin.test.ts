import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Harness } from './harness.ts';
import { errorOf } from './harness.ts';
import { admin, agentOf, decide, startApprovalsHarness, startHook, tools, type Hook } from './approvals-harness.ts';

// The admin side of approvals and the hostile cases: no admin key, unknown and expired ids,
// double decisions, another tenant's id, runs without an id, arguments too large to hold.

let h: Harness;
let hook: Hook;
beforeAll(async () => {
  hook = await startHook();
  h = await startApprovalsHarness(hook, ', maxArgumentBytes: 1kb');
});
afterAll(async () => {
  await h.close();
  await hook.close();
});
beforeEach(() => h.fake.reset());
afterEach(() => vi.useRealTimers());

const messages = [{ role: 'user' as const, content: 'refund it' }];

async function propose(tenant: string, runId?: string, args = '{"order":"B-1"}'): Promise<string> {
  h.fake.enqueue({ toolCalls: [{ name: 'issue_refund', arguments: args }] });
  const { response } = await agentOf(h, tenant, runId).chat.completions.create({ model: 'chat', messages, tools }).withResponse();
  return response.headers.get('x-tollgate-approval')!;
}

describe('admin approval endpoints', () => {
  it('refuse a request without the admin key, or with a wrong one', async () => {
    const id = await propose('support-bot', 'run-admin-1');
    for (const key of [null, 'wrong-key', 'tg-support-bot-key']) {
      const list = await admin(h, '/admin/approvals', { key });
      expect(list.status).toBe(401);
      expect((await errorOf(list)).code).toBe('invalid_api_key');
      const post = await admin(h, `/admin/approvals/${id}`, { method: 'POST', body: { decision: 'approve' }, key });
      expect(post.status).toBe(401);
    }
    expect((await (await admin(h, `/admin/approvals?tenant=support-bot&status=pending`)).json()).data.map((a: { id: string }) => a.id)).toContain(id);
  });

  it('answer 404 for an unknown id and 409 for a second decision', async () => {
    expect((await decide(h, 'apr_0123456789abcdef0123456789abcdef', 'approve')).status).toBe(404);
    expect((await decide(h, 'not-an-id', 'approve')).status).toBe(404);
    const id = await propose('support-bot', 'run-admin-2');
    expect((await decide(h, id, 'reject')).status).toBe(200);
    const second = await decide(h, id, 'approve');
    expect(second.status).toBe(409);
    expect(await errorOf(second)).toMatchObject({ code: 'approval_already_decided', message: `Approval '${id}' was already rejected.` });
  });

  it('validate the decision body and the list filters', async () => {
    const id = await propose('support-bot', 'run-admin-3');
    for (const body of [{ decision: 'maybe' }, {}, { decision: 'approve', extra: 1 }, { decision: 'approve', reason: 'x'.repeat(1001) }]) {
      expect((await admin(h, `/admin/approvals/${id}`, { method: 'POST', body })).status).toBe(400);
    }
    const bad = await fetch(`${h.gateway.url}/admin/approvals/${id}`, { method: 'POST', headers: { authorization: 'Bearer tg-admin-secret' }, body: '{"decision":' });
    expect((await errorOf(bad)).code).toBe('invalid_json');
    expect((await admin(h, '/admin/approvals?status=unknown')).status).toBe(400);
    expect((await admin(h, '/admin/approvals?limit=0')).status).toBe(400);
    expect((await admin(h, '/admin/approvals?tenant=nobody')).status).toBe(404);
    const limited = await (await admin(h, '/admin/approvals?limit=1')).json();
    expect(limited.data).toHaveLength(1);
    // None of the refused bodies decided it.
    expect((await decide(h, id, 'approve')).status).toBe(200);
  });
});

describe('hostile agents', () => {
  it('never see another tenant\'s approval: its id sent back is ignored', async () => {
    const theirs = await propose('other-bot', 'run-other-1');
    expect((await decide(h, theirs, 'approve')).status).toBe(200);
    h.fake.enqueue({ content: 'plain answer' });
    const { data, response } = await agentOf(h, 'support-bot').chat.completions.create({ model: 'chat', messages }, { headers: { 'x-tollgate-approval': theirs } }).withResponse();
    expect(data.choices[0]!.message.content).toBe('plain answer');
    expect(response.headers.get('x-tollgate-approval')).toBeNull();
    // The owner still collects it.
    const owner = await agentOf(h, 'other-bot', 'run-other-1').chat.completions.create({ model: 'chat', messages, tools });
    expect(owner.choices[0]!.message.tool_calls![0]!.type).toBe('function');
    const listed = await (await admin(h, '/admin/approvals?tenant=support-bot')).json();
    expect(listed.data.map((a: { id: string }) => a.id)).not.toContain(theirs);
  });

  it('without a run id, resume by sending the approval id back', async () => {
    const id = await propose('support-bot');
    expect((await decide(h, id, 'approve')).status).toBe(200);
    const client = agentOf(h, 'support-bot');
    const released = await client.chat.completions.create({ model: 'chat', messages, tools }, { headers: { 'x-tollgate-approval': id } });
    expect(released.choices[0]!.finish_reason).toBe('tool_calls');
    expect(h.fake.requests).toHaveLength(1);
    // Collected once: sending it again is a normal request.
    h.fake.enqueue({ content: 'normal' });
    const again = await client.chat.completions.create({ model: 'chat', messages }, { headers: { 'x-tollgate-approval': id } });
    expect(again.choices[0]!.message.content).toBe('normal');
  });

  it('refuse a turn whose arguments are too large to hold, storing nothing', async () => {
    const { data, response } = await (async () => {
      h.fake.enqueue({ toolCalls: [{ name: 'issue_refund', arguments: JSON.stringify({ note: 'z'.repeat(5000) }) }] });
      return agentOf(h, 'support-bot', 'run-huge-1').chat.completions.create({ model: 'chat', messages, tools }).withResponse();
    })();
    expect(response.headers.get('x-tollgate-approval')).toBeNull();
    expect(data.choices[0]!.message.tool_calls).toBeUndefined();
    expect(data.choices[0]!.message.content).toContain('was refused: its arguments are larger than');
    expect(h.logs.some((l) => l.audit === 'approval' && l.event === 'refused' && l.why === 'arguments_too_large' && l.runId === 'run-huge-1')).toBe(true);
  });
});

describe('expiry', () => {
  it('an approval nobody decided in time cannot be decided, and the run is told it was refused', async () => {
    const id = await propose('support-bot', 'run-expiry-1');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 24 * 3_600_000 + 1_000);
    expect((await decide(h, id, 'approve')).status).toBe(404);
    expect((await (await admin(h, '/admin/approvals?tenant=support-bot&status=expired')).json()).data.map((a: { id: string }) => a.id)).toContain(id);
    h.fake.enqueue({ content: 'I will not refund it, then.' });
    const next = await agentOf(h, 'support-bot', 'run-expiry-1').chat.completions.create({ model: 'chat', messages, tools });
    expect(next.choices[0]!.message.content).toBe('I will not refund it, then.');
    const sent = h.fake.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>;
    expect(sent.at(-1)!.content).toContain('nobody approved it in time');
    expect(h.logs.some((l) => l.audit === 'approval' && l.approvalId === id && l.event === 'refused' && l.why === 'expired')).toBe(true);
  });
});
