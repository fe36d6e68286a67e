import { describe, expect, it } from 'vitest';
import { trimConversation } from './trim-conversation.ts';

const sys = (content = 'be brief') => ({ role: 'system', content });
const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });
const call = (id: string) => ({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'f', arguments: '{}' } }] });
const result = (id: string) => ({ role: 'tool', tool_call_id: id, content: 'r' });
const contents = (messages: unknown[]) => messages.map((m) => (m as { content?: unknown; tool_call_id?: string }).content ?? (m as { tool_calls: [{ id: string }] }).tool_calls[0].id);

describe('trimConversation', () => {
  it('keeps the system prompt, the first user message and as many newest turns as fit', () => {
    const messages = [sys(), user('task'), assistant('a1'), user('u2'), assistant('a2'), user('u3'), assistant('a3'), user('now')];
    const tokens = messages.map(() => 10);
    const trimmed = trimConversation(messages, tokens, 50)!;
    expect(contents(trimmed.messages)).toEqual(['be brief', 'task', 'u3', 'a3', 'now']);
    expect(trimmed.droppedMessages).toBe(3);
    expect(trimmed.droppedTokens).toBe(30);
  });

  it('keeps later system and developer messages in place', () => {
    const messages = [sys('s1'), user('task'), assistant('a1'), { role: 'developer', content: 'd' }, assistant('a2'), user('now')];
    const trimmed = trimConversation(messages, [5, 5, 100, 5, 100, 5], 20)!;
    expect(contents(trimmed.messages)).toEqual(['s1', 'task', 'd', 'now']);
  });

  it('never splits a tool call from its results', () => {
    const messages = [user('task'), call('c1'), result('c1'), call('c2'), { ...result('c2'), content: 'r2' }, { ...result('c3'), content: 'r3' }, user('now')];
    // The c2 unit (call + two results) costs 30: with room for 20 it goes whole, never half.
    const trimmed = trimConversation(messages, messages.map(() => 10), 40)!;
    expect(trimmed.messages.map((m) => (m as { role: string }).role)).toEqual(['user', 'user']);
    const roomy = trimConversation(messages, messages.map(() => 10), 50)!;
    expect(roomy.messages.map((m) => (m as { role: string }).role)).toEqual(['user', 'assistant', 'tool', 'tool', 'user']);
  });

  it('stops at the first turn that does not fit instead of leaving a hole', () => {
    const messages = [user('task'), assistant('old'), assistant('huge'), assistant('new'), user('now')];
    const trimmed = trimConversation(messages, [5, 5, 100, 5, 5], 30)!;
    expect(contents(trimmed.messages)).toEqual(['task', 'new', 'now']);
  });

  it('returns undefined when the kept minimum alone is too long', () => {
    const messages = [sys(), user('task'), assistant('a'), user('now')];
    expect(trimConversation(messages, [10, 10, 10, 10], 29)).toBeUndefined();
    expect(trimConversation([user('one giant message')], [1_000_000], 1000)).toBeUndefined();
  });

  it('survives hostile shapes: orphan tool results, unknown roles, non-objects', () => {
    const messages = [null, 'text', result('orphan'), { role: 42 }, user('task'), result('orphan2'), { role: 'robot' }, assistant('x'), user('now')];
    const trimmed = trimConversation(messages, messages.map(() => 10), 40)!;
    expect(trimmed.messages).toEqual([user('task'), { role: 'robot' }, assistant('x'), user('now')]);
    expect(trimmed.droppedMessages).toBe(5);
  });

  it('is linear: 2000 messages are each read a bounded number of times', () => {
    const base: unknown[] = [sys()];
    for (let i = 0; i < 666; i++) base.push(user(`u${i}`), call(`c${i}`), result(`c${i}`));
    let reads = 0;
    const counted = new Proxy(base, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const trimmed = trimConversation(counted, base.map(() => 7), 7 * 300)!;
    expect(trimmed.messages.length).toBeLessThanOrEqual(300);
    expect(trimmed.messages.at(-1)).toEqual(result('c665'));
    expect(reads).toBeLessThan(base.length * 4);
  });
});
