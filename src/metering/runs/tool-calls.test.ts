import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';
import { requestFingerprint } from './request-fingerprint.ts';
import {
  MAX_ARGUMENT_CHARS,
  MAX_CALLS_PER_ANSWER,
  MAX_TOOL_NAME_CHARS,
  ToolCallAssembler,
  toolCallsOfCompletion,
} from './tool-calls.ts';

const completion = (...calls: Array<{ name: unknown; arguments: unknown }>) => ({
  choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: calls.map((fn, i) => ({ id: `c${i}`, type: 'function', function: fn })) } }],
});
const one = (name: string, args: string) => toolCallsOfCompletion(completion({ name, arguments: args }))[0]!;

/** Stream chunks for one call, arguments cut into pieces of `size` characters. */
function streamed(name: string, args: string, size: number, choice = 0, index = 0): unknown[] {
  const chunks: unknown[] = [{ choices: [{ index: choice, delta: { tool_calls: [{ index, id: 'x', type: 'function', function: { name, arguments: '' } }] } }] }];
  for (let at = 0; at < args.length; at += size) {
    chunks.push({ choices: [{ index: choice, delta: { tool_calls: [{ index, function: { arguments: args.slice(at, at + size) } }] } }] });
  }
  return chunks;
}
const assemble = (chunks: unknown[]) => {
  const assembler = new ToolCallAssembler();
  for (const chunk of chunks) assembler.feed(chunk);
  return assembler.finish();
};

describe('canonical JSON', () => {
  it('sorts keys, drops whitespace and writes numbers one way', () => {
    expect(canonicalJson(JSON.parse('{ "b": [1.0, 2e0, -0, 1E+2], "a": { "z": "x y", "c": null } }'))).toBe('{"a":{"c":null,"z":"x y"},"b":[1,2,0,100]}');
  });

  it('gives up on values nested too deeply instead of overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(5000) + ']'.repeat(5000));
    expect(canonicalJson(deep)).toBeUndefined();
  });
});

describe('tool call identity', () => {
  it('the same call however its arguments are formatted', () => {
    const a = one('search', '{"query":"tollgate","limit":10}');
    const b = one('search', ' {\n  "limit": 10.0,\n  "query" : "tollgate"\n}\n');
    expect(b).toEqual(a);
    expect(a.argsHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('differs by name, by argument value, and string contents are kept exactly', () => {
    const base = one('search', '{"query":"tollgate"}');
    expect(one('lookup', '{"query":"tollgate"}').identity).not.toBe(base.identity);
    expect(one('lookup', '{"query":"tollgate"}').argsHash).toBe(base.argsHash);
    expect(one('search', '{"query":"tollgate "}').identity).not.toBe(base.identity);
  });

  it('compares unparseable arguments as trimmed text', () => {
    expect(one('f', '  {"broken": ')).toEqual(one('f', '{"broken":'));
    expect(one('f', '{"broken": 1').identity).not.toBe(one('f', '{"broken":1').identity);
    expect(one('f', 'not json').identity).not.toBe(one('f', '"not json"').identity);
  });

  it('ignores malformed tool calls and answers without any', () => {
    expect(toolCallsOfCompletion({ choices: [{ message: { content: 'hi' } }] })).toEqual([]);
    expect(toolCallsOfCompletion('nonsense')).toEqual([]);
    expect(toolCallsOfCompletion({ choices: [{ message: { tool_calls: [null, 7, { function: 'x' }] } }] })).toEqual([]);
    const [call] = toolCallsOfCompletion(completion({ name: 42, arguments: { not: 'a string' } }));
    expect(call).toEqual(one('', ''));
  });

  it('looks at a bounded number of calls per answer and cuts long names', () => {
    const many = Array.from({ length: MAX_CALLS_PER_ANSWER + 5 }, () => ({ name: 'n'.repeat(10_000), arguments: '{}' }));
    const calls = toolCallsOfCompletion(completion(...many));
    expect(calls).toHaveLength(MAX_CALLS_PER_ANSWER);
    expect(calls[0]!.name).toHaveLength(MAX_TOOL_NAME_CHARS);
  });
});

describe('streamed tool calls', () => {
  it('assembles deltas into the same calls a JSON answer has', () => {
    const args = '{"query": "what is tollgate", "filters": {"lang": "en", "year": 2026}}';
    expect(assemble(streamed('search', args, 7))).toEqual([one('search', args)]);
  });

  it('keeps parallel calls and choices apart, in the order they started', () => {
    const chunks = [...streamed('a', '{"x":1}', 3, 0, 0), ...streamed('b', '{"y":2}', 2, 0, 1), ...streamed('a', '{"x":1}', 1, 1, 0)];
    const calls = assemble(chunks);
    expect(calls.map((c) => c.name)).toEqual(['a', 'b', 'a']);
    expect(calls[2]).toEqual(calls[0]);
  });

  it('names arriving in pieces are joined', () => {
    const chunks = [
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'sea' } }] } }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'rch', arguments: '{}' } }] } }] },
    ];
    expect(assemble(chunks)).toEqual([one('search', '{}')]);
  });

  it('megabytes of arguments are hashed exactly without being kept, and match the JSON path', () => {
    const huge = JSON.stringify({ blob: 'x'.repeat(3 * 1024 * 1024) });
    const assembler = new ToolCallAssembler();
    for (const chunk of streamed('upload', huge, 64 * 1024)) assembler.feed(chunk);
    const [call] = assembler.finish();
    expect(call).toEqual(one('upload', huge));
    // A different huge argument is a different call.
    expect(call!.identity).not.toBe(one('upload', huge.replace('xx', 'xy')).identity);
    expect(huge.length).toBeGreaterThan(MAX_ARGUMENT_CHARS);
  });

  it('a server repeating the id and whole name on every delta names the call once', () => {
    const chunks = ['{"q":', '1}'].map((args) => ({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'c1', function: { name: 'search', arguments: args } }] } }] }));
    expect(assemble(chunks)).toEqual([one('search', '{"q":1}')]);
  });

  it('ignores malformed deltas', () => {
    const chunks = [{ choices: 'no' }, { choices: [{ delta: { tool_calls: [{ function: { name: 'no index' } }, 'junk'] } }] }, null, 3];
    expect(assemble(chunks)).toEqual([]);
  });

  it('starts at most a bounded number of calls per answer', () => {
    const chunks = Array.from({ length: 1000 }, (_, i) => ({ choices: [{ index: 0, delta: { tool_calls: [{ index: i, function: { name: 't', arguments: '{}' } }] } }] }));
    expect(assemble(chunks)).toHaveLength(MAX_CALLS_PER_ANSWER);
  });
});

describe('request fingerprint', () => {
  const messages = [{ role: 'user', content: 'hi' }];
  const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];

  it('is the same for the same messages and tools, however spaced and whatever the sampling settings', () => {
    const a = requestFingerprint({ model: 'x', messages, tools, temperature: 0 });
    const b = requestFingerprint(JSON.parse(`{ "temperature": 1.0, "messages": [ { "role": "user", "content": "hi" } ],\n "model": "y",
      "tools": [{ "type": "function", "function": { "name": "f", "parameters": { "type": "object" } } }] }`));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(b).toBe(a);
  });

  it('changes when the conversation moves on or the tools change', () => {
    const a = requestFingerprint({ messages, tools });
    expect(requestFingerprint({ messages: [...messages, { role: 'assistant', content: 'hello' }], tools })).not.toBe(a);
    expect(requestFingerprint({ messages })).not.toBe(a);
  });

  it('is undefined for a request nested too deeply to serialise, instead of throwing', () => {
    expect(requestFingerprint({ messages: JSON.parse('['.repeat(1_000_000) + ']'.repeat(1_000_000)) })).toBeUndefined();
  });
});
