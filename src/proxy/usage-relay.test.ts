import { describe, expect, it } from 'vitest';
import { readAllData, scriptedEvents } from '../../test/support/scripted-events.ts';
import type { SseEvent } from '../providers/types.ts';
import { relayChatStream } from './usage-relay.ts';

const chunk = (extra: Record<string, unknown>) =>
  JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', ...extra });
const ROLE = chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
// Spacing and key order a provider might use; must be relayed byte for byte.
const CONTENT = '{"id":"c1",  "choices":[{"index":0,"delta":{"content":"Hi \\u00e9"},"finish_reason":null}], "usage": null}';
const FINISH = chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
const USAGE_ONLY = chunk({ choices: [], usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 } });
const BODY = { model: 'm', messages: [{ role: 'user', content: 'hello' }] };

describe('relayChatStream', () => {
  it('takes usage from the usage chunk and drops that chunk when the client did not ask', async () => {
    const relayed = relayChatStream(scriptedEvents([ROLE, CONTENT, FINISH, USAGE_ONLY]).iterator, false, BODY);
    expect(await readAllData(relayed.events)).toEqual([ROLE, CONTENT, FINISH]);
    expect(await relayed.usage).toEqual({ promptTokens: 11, completionTokens: 7, totalTokens: 18, source: 'upstream' });
  });

  it('keeps the usage chunk, unchanged, when the client asked', async () => {
    const relayed = relayChatStream(scriptedEvents([ROLE, CONTENT, FINISH, USAGE_ONLY]).iterator, true, BODY);
    expect(await readAllData(relayed.events)).toEqual([ROLE, CONTENT, FINISH, USAGE_ONLY]);
    expect((await relayed.usage).totalTokens).toBe(18);
  });

  it('passes other events on as the very same strings', async () => {
    const events = [{ data: ROLE }, { data: CONTENT }, { data: FINISH }];
    const src: AsyncIterable<SseEvent> = (async function* () {
      yield* events;
    })();
    const out: SseEvent[] = [];
    for await (const e of relayChatStream(src, false, BODY).events) out.push(e);
    expect(out).toHaveLength(3);
    out.forEach((e, i) => expect(e).toBe(events[i]));
  });

  it('strips usage from a content chunk that carries it, when the client did not ask', async () => {
    const both = chunk({
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
    });
    const relayed = relayChatStream(scriptedEvents([ROLE, both]).iterator, false, BODY);
    const out = await readAllData(relayed.events);
    expect(out).toHaveLength(2);
    expect(out[0]).toBe(ROLE);
    expect(JSON.parse(out[1]!)).toEqual({
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'm',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    });
    expect(out[1]).not.toContain('usage');
    expect(await relayed.usage).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7, source: 'upstream' });
  });

  it('keeps usage on a content chunk when the client asked', async () => {
    const both = chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } });
    const relayed = relayChatStream(scriptedEvents([both]).iterator, true, BODY);
    expect(await readAllData(relayed.events)).toEqual([both]);
    expect(await relayed.usage).toEqual({ promptTokens: 1, completionTokens: 1, totalTokens: 2, source: 'upstream' });
  });

  it('estimates usage when the stream ends without it', async () => {
    const relayed = relayChatStream(scriptedEvents([ROLE, CONTENT, FINISH]).iterator, false, BODY);
    expect(await readAllData(relayed.events)).toHaveLength(3);
    // '[{"role":"user","content":"hello"}]' is 35 characters: 9 tokens; one token per chunk.
    expect(await relayed.usage).toEqual({ promptTokens: 9, completionTokens: 3, totalTokens: 12, source: 'estimated' });
  });

  it('does not settle usage before the stream ended', async () => {
    const relayed = relayChatStream(scriptedEvents([ROLE, USAGE_ONLY]).iterator, false, BODY);
    let settled = false;
    void relayed.usage.then(() => (settled = true));
    const it = relayed.events[Symbol.asyncIterator]();
    await it.next();
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    expect(await it.next()).toEqual({ done: true, value: undefined });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(true);
  });

  it('settles usage and cancels the source on return() before the first read', async () => {
    const src = scriptedEvents([ROLE, USAGE_ONLY]);
    const relayed = relayChatStream(src.iterator, true, BODY);
    const it = relayed.events[Symbol.asyncIterator]();
    await it.return!();
    expect(src.calls).toEqual({ next: 0, return: 1 });
    expect(await relayed.usage).toEqual({ promptTokens: 9, completionTokens: 0, totalTokens: 9, source: 'estimated' });
  });

  it('settles usage when the source fails, with what it had seen', async () => {
    const failing: AsyncIterable<SseEvent> = (async function* () {
      yield { data: ROLE };
      yield { data: USAGE_ONLY };
      throw new Error('cut');
    })();
    const relayed = relayChatStream(failing, false, BODY);
    await expect(readAllData(relayed.events)).rejects.toThrow('cut');
    expect(await relayed.usage).toEqual({ promptTokens: 11, completionTokens: 7, totalTokens: 18, source: 'upstream' });
  });

  it('passes on an unparseable event that looks like it has usage', async () => {
    const odd = '{"usage": {"prompt_tokens": 1';
    const relayed = relayChatStream(scriptedEvents([odd]).iterator, false, { messages: [] });
    expect(await readAllData(relayed.events)).toEqual([odd]);
    expect((await relayed.usage).source).toBe('estimated');
  });

  it('reads usage from the tail of a giant event without parsing it, and relays the event as it is', async () => {
    const giant = chunk({ choices: [{ index: 0, delta: { content: 'x'.repeat(200_000) }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } });
    const relayed = relayChatStream(scriptedEvents([ROLE, giant]).iterator, false, BODY);
    const out = await readAllData(relayed.events);
    expect(out[1]).toBe(giant);
    expect(await relayed.usage).toEqual({ promptTokens: 3, completionTokens: 4, totalTokens: 7, source: 'upstream' });
  });
});
