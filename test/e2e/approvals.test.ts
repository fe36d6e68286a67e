import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signature } from '../../src/policies/approvals/webhook-poster.ts';
import type { Harness } from './harness.ts';
import { admin, agentOf, decide, startApprovalsHarness, startHook, tools, WEBHOOK_SECRET, type Hook } from './approvals-harness.ts';

// Human approval through the real server: a proposal of an approve-tier tool is withheld
// (JSON and stream), the webhook hears of it, and the run's next request after a person's
// decision gets the released call (approved) or goes upstream with a refusal note (rejected).

let h: Harness;
let hook: Hook;
beforeAll(async () => {
  hook = await startHook();
  h = await startApprovalsHarness(hook);
});
afterAll(async () => {
  await h.close();
  await hook.close();
});
beforeEach(() => h.fake.reset());

const user: ChatCompletionMessageParam[] = [{ role: 'user', content: 'refund order A-1' }];
const auditOf = (approvalId: string) => h.logs.filter((l) => l.audit === 'approval' && l.approvalId === approvalId);

describe('a JSON answer proposing an approve-tier call', () => {
  it('is withheld, announced, and released to the run after approval', async () => {
    const client = agentOf(h, 'support-bot', 'run-json-1');
    const args = '{"order":"A-1","amount":20}';
    h.fake.enqueue({ toolCalls: [{ name: 'issue_refund', arguments: args }] });
    const { data, response } = await client.chat.completions.create({ model: 'chat', messages: user, tools }).withResponse();
    const id = response.headers.get('x-tollgate-approval')!;
    expect(id).toMatch(/^apr_[0-9a-f]{32}$/);
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.choices[0]!.message.tool_calls).toBeUndefined();
    expect(data.choices[0]!.message.content).toContain(`awaits human approval (approval ${id})`);
    expect(data.usage!.total_tokens).toBeGreaterThan(0); // the upstream call was made and paid for

    const before = hook.received.length;
    await hook.waitFor(before + 1);
    const post = hook.received.at(-1)!;
    const payload = JSON.parse(post.body);
    expect(payload).toMatchObject({ type: 'approval.requested', approval: { id, tenant: 'support-bot', run_id: 'run-json-1', status: 'pending', tool_calls: [{ name: 'issue_refund', arguments: args }] } });
    expect(post.headers['x-tollgate-signature']).toBe(`sha256=${signature(WEBHOOK_SECRET, String(post.headers['x-tollgate-timestamp']), post.body)}`);

    // Still pending: the run is answered the same, without calling upstream.
    const again = await client.chat.completions.create({ model: 'chat', messages: user, tools }).withResponse();
    expect(again.response.headers.get('x-tollgate-approval')).toBe(id);
    expect(again.data.choices[0]!.message.content).toContain(id);
    expect(h.fake.requests).toHaveLength(1);

    const listed = await (await admin(h, '/admin/approvals?tenant=support-bot&status=pending')).json();
    expect(listed.data.map((a: { id: string }) => a.id)).toContain(id);

    const decided = await decide(h, id, 'approve', 'checked the order');
    expect(decided.status).toBe(200);
    expect(await decided.json()).toMatchObject({ id, status: 'approved', reason: 'checked the order' });

    const released = await client.chat.completions.create({ model: 'chat', messages: user, tools }).withResponse();
    expect(released.response.headers.get('x-tollgate-approval')).toBe(id);
    expect(released.data.choices[0]!.finish_reason).toBe('tool_calls');
    const call = released.data.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && [call.function.name, call.function.arguments]).toEqual(['issue_refund', args]);
    expect(h.fake.requests).toHaveLength(1); // answered without calling upstream

    // Released once: the run's next request goes upstream as usual.
    await client.chat.completions.create({ model: 'chat', messages: user, tools });
    expect(h.fake.requests).toHaveLength(2);

    const audit = auditOf(id);
    expect(audit.map((l) => l.event)).toEqual(['proposed', 'decided', 'released']);
    expect(audit.every((l) => typeof l.argsHash === 'string' && l.arguments === undefined)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('A-1');
    expect((await (await admin(h, `/admin/approvals?tenant=support-bot&status=released`)).json()).data[0].id).toBe(id);
  });

  it('withholds the whole turn when one of its calls needs approval, and releases it whole', async () => {
    const client = agentOf(h, 'support-bot', 'run-json-2');
    h.fake.enqueue({ toolCalls: [{ name: 'search', arguments: '{"q":"order A-2"}' }, { name: 'send_email', arguments: '{"to":"a@b.c"}' }] });
    const { data, response } = await client.chat.completions.create({ model: 'chat', messages: user, tools }).withResponse();
    const id = response.headers.get('x-tollgate-approval')!;
    expect(data.choices[0]!.message.tool_calls).toBeUndefined();
    expect(data.choices[0]!.message.content).toContain('"search", "send_email"');
    expect((await decide(h, id, 'approve')).status).toBe(200);
    const released = await client.chat.completions.create({ model: 'chat', messages: user, tools });
    expect(released.choices[0]!.message.tool_calls!.map((c) => c.type === 'function' && c.function.name)).toEqual(['search', 'send_email']);
  });

  it('passes answers without approve-tier calls through untouched', async () => {
    const client = agentOf(h, 'support-bot', 'run-json-3');
    h.fake.enqueue({ toolCalls: [{ name: 'search', arguments: '{"q":"x"}' }] });
    const { data, response } = await client.chat.completions.create({ model: 'chat', messages: user, tools }).withResponse();
    expect(response.headers.get('x-tollgate-approval')).toBeNull();
    expect(data.choices[0]!.finish_reason).toBe('tool_calls');
  });
});

describe('a rejected approval', () => {
  it('is answered to the model as refused: the note joins the conversation sent upstream', async () => {
    const client = agentOf(h, 'support-bot', 'run-reject-1');
    h.fake.enqueue({ toolCalls: [{ name: 'issue_refund', arguments: '{"order":"A-9"}' }] });
    const { response } = await client.chat.completions.create({ model: 'chat', messages: user, tools }).withResponse();
    const id = response.headers.get('x-tollgate-approval')!;
    expect((await decide(h, id, 'reject', 'not eligible')).status).toBe(200);

    h.fake.enqueue({ content: 'Sorry, I could not refund that order.' });
    const next = await client.chat.completions.create({ model: 'chat', messages: user, tools }).withResponse();
    expect(next.data.choices[0]!.message.content).toBe('Sorry, I could not refund that order.');
    expect(next.response.headers.get('x-tollgate-approval')).toBe(id);
    const sent = h.fake.requests.at(-1)!.body.messages as Array<Record<string, unknown>>;
    expect(sent).toHaveLength(3);
    expect(sent[1]).toMatchObject({ role: 'assistant', tool_calls: [{ function: { name: 'issue_refund' } }] });
    expect(sent[2]).toMatchObject({ role: 'tool', tool_call_id: (sent[1]!.tool_calls as Array<{ id: string }>)[0]!.id });
    expect(sent[2]!.content).toContain('a person rejected it: not eligible');
    expect(auditOf(id).map((l) => [l.event, l.why ?? l.decision])).toEqual([['proposed', undefined], ['decided', 'reject'], ['refused', 'rejected']]);
  });
});

describe('streams', () => {
  it('pass text through, hold the approve-tier call, and end with a note naming the approval', async () => {
    const client = agentOf(h, 'support-bot', 'run-stream-1');
    h.fake.enqueue({ content: 'Refunding it now.', toolCalls: [{ name: 'issue_refund', arguments: '{"order":"S-1"}' }] });
    const stream = await client.chat.completions.create({ model: 'chat', messages: user, tools, stream: true });
    let text = '';
    let finish: string | null = null;
    let sawToolCall = false;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (!choice) continue;
      text += choice.delta.content ?? '';
      if (choice.delta.tool_calls) sawToolCall = true;
      finish = choice.finish_reason ?? finish;
    }
    expect(sawToolCall).toBe(false);
    expect(finish).toBe('stop');
    expect(text.startsWith('Refunding it now.')).toBe(true);
    const id = /approval (apr_[0-9a-f]{32})/.exec(text)![1]!;
    const listed = await (await admin(h, '/admin/approvals?tenant=support-bot')).json();
    expect(listed.data.find((a: { id: string }) => a.id === id)).toMatchObject({ status: 'pending', tool_calls: [{ name: 'issue_refund', arguments: '{"order":"S-1"}' }] });

    expect((await decide(h, id, 'approve')).status).toBe(200);
    const released = client.chat.completions.stream({ model: 'chat', messages: user, tools, stream: true });
    const final = await released.finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && [call.function.name, call.function.arguments]).toEqual(['issue_refund', '{"order":"S-1"}']);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(h.fake.requests).toHaveLength(1);
  });
});
