import { describe, expect, it } from 'vitest';
import { cacheKeyOf, canonicalJson } from './canonical-key.ts';

const base = {
  model: 'chat',
  messages: [{ role: 'user', content: 'hi', name: 'a' }],
  temperature: 0,
  tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } } }],
};
const key = (body: Record<string, unknown>, scope = 'tenant:a', alias = 'chat') => cacheKeyOf({ scope, endpoint: 'chat', alias, body });

describe('cache keys', () => {
  it('are the same for reordered keys and other whitespace', () => {
    const reordered = JSON.parse(`{ "temperature": 0, "tools": [{"function": {"parameters": {"properties": {"a": {"type": "string"}}, "type": "object"}, "name": "f"}, "type": "function"}],
      "messages": [ {"name": "a", "content": "hi", "role": "user"} ], "model": "chat" }`);
    expect(key(reordered)).toBe(key(base));
    expect(canonicalJson({ b: 1, a: [1.0, { d: null, c: 'x' }] })).toBe('{"a":[1,{"c":"x","d":null}],"b":1}');
  });

  it('ignore fields that do not change the answer', () => {
    const extra = { ...base, user: 'u1', metadata: { run: '7' }, stream: true, stream_options: { include_usage: true }, model: 'other', store: true };
    expect(key(extra)).toBe(key(base));
  });

  it.each([
    ['messages', { messages: [{ role: 'user', content: 'hi!', name: 'a' }] }],
    ['message order', { messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }],
    ['tools', { tools: [] }],
    ['tool_choice', { tool_choice: 'required' }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['temperature', { temperature: 0.5 }],
    ['top_p', { top_p: 0.9 }],
    ['seed', { seed: 1 }],
    ['max_tokens', { max_tokens: 10 }],
    ['max_completion_tokens', { max_completion_tokens: 10 }],
    ['stop', { stop: ['x'] }],
    ['n', { n: 2 }],
    ['a field the gateway does not know', { reasoning_effort: 'high' }],
  ])('differ when %s changes', (_name, change) => {
    expect(key({ ...base, ...change })).not.toBe(key(base));
  });

  it('differ by scope and by alias', () => {
    expect(key(base, 'tenant:b')).not.toBe(key(base));
    expect(key(base, 'tenant:a', 'other')).not.toBe(key(base));
    // A shared scope named like a tenant is still another scope.
    expect(key(base, 'shared:a')).not.toBe(key(base, 'tenant:a'));
  });

  it('hash a 4 MB body in one pass', () => {
    const big = { ...base, messages: [{ role: 'user', content: 'x'.repeat(4 * 1024 * 1024) }] };
    const other = { ...base, messages: [{ role: 'user', content: `${'x'.repeat(4 * 1024 * 1024 - 1)}y` }] };
    expect(key(big)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key(big)).not.toBe(key(other));
  });
});
