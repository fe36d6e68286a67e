import { describe, expect, it } from 'vitest';
import { decodeAnswer, encodeAnswer } from './cached-answer.ts';
import { replayChunks } from './replay.ts';
import { StreamRecorder } from './stream-recorder.ts';

const usage = { promptTokens: 5, completionTokens: 7, totalTokens: 12, source: 'upstream' as const };

describe('stored answers', () => {
  it('round-trip small answers as they are and large ones compressed', async () => {
    for (const text of ['{"small":true}', JSON.stringify({ content: 'abc '.repeat(50_000) })]) {
      const answer = { body: Buffer.from(text), storedAt: 123, model: 'gpt-4o-mini', usage };
      const encoded = await encodeAnswer(answer);
      if (text.length > 10_000) expect(encoded.byteLength).toBeLessThan(text.length / 10);
      const decoded = await decodeAnswer(encoded);
      expect(decoded?.body.toString()).toBe(text);
      expect(decoded).toMatchObject({ storedAt: 123, model: 'gpt-4o-mini', usage });
    }
  });

  it('read foreign or corrupt bytes as no answer', async () => {
    expect(await decodeAnswer(Buffer.from('not an answer'))).toBeUndefined();
    expect(await decodeAnswer(Buffer.from([1, 2, 3]))).toBeUndefined();
    expect(await decodeAnswer(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('stream recording and replay', () => {
  const chunk = (choices: unknown[], extra: object = {}) => ({ data: JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 9, model: 'm', choices, ...extra }) });
  const live = [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: 'Hel' }, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: 'lo 🙂' }, finish_reason: null }]),
    chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: 't1', type: 'function', function: { name: 'get', arguments: '{"a"' } }] }, finish_reason: null }]),
    chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]),
  ];

  it('assembles the completion a JSON request would get, and replays it as equivalent chunks', () => {
    const recorder = new StreamRecorder(1_000_000);
    live.forEach((e) => recorder.record(e));
    const completion = recorder.completion({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 })!;
    expect(completion).toMatchObject({
      id: 'c1',
      object: 'chat.completion',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: 'Hello 🙂', tool_calls: [{ id: 't1', function: { name: 'get', arguments: '{"a":1}' } }] } }],
      usage: { total_tokens: 3 },
    });
    const again = new StreamRecorder(1_000_000);
    for (const event of replayChunks(completion, true)) again.record(event);
    expect(again.completion(completion.usage as Record<string, unknown>)).toEqual(completion);
  });

  it('gives up past its cap or on an event it cannot read', () => {
    const small = new StreamRecorder(200);
    live.forEach((e) => small.record(e));
    expect(small.ok).toBe(false);
    expect(small.completion(undefined)).toBeUndefined();
    const broken = new StreamRecorder(1_000_000);
    broken.record({ data: '{not json' });
    expect(broken.ok).toBe(false);
  });

  it('never splits a surrogate pair between replayed pieces', () => {
    const text = `${'a'.repeat(1023)}🙂${'b'.repeat(2000)}`;
    const completion = { id: 'x', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] };
    const pieces = [...replayChunks(completion, false)].map((e) => JSON.parse(e.data).choices[0]?.delta?.content).filter((c) => typeof c === 'string' && c !== '');
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(piece).not.toMatch(/[\ud800-\udbff]$/);
  });
});
