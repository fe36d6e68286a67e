import { describe, expect, it } from 'vitest';
import { canonicalArguments, sameToolCalls, StreamedAnswer, summarizeCompletion } from './answer-summary.ts';

const completion = (content: string | null, toolCalls?: Array<[string, string]>) => ({
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content, tool_calls: toolCalls?.map(([name, args], i) => ({ id: `c${i}`, type: 'function', function: { name, arguments: args } })) },
    },
  ],
});
const chunk = (delta: Record<string, unknown>, index = 0) => ({ data: JSON.stringify({ choices: [{ index, delta }] }) });

describe('answer summaries', () => {
  it('compares text exactly and tool calls by name and canonical arguments, in any order', () => {
    const a = summarizeCompletion(completion('hi', [['get', '{"b":1,"a":[2,{"y":1,"x":2}]}'], ['put', '{}']]));
    const b = summarizeCompletion(completion('hi', [['put', ' { } '], ['get', '{"a":[2,{"x":2,"y":1}],"b":1}']]));
    const c = summarizeCompletion(completion('hi!', [['get', '{"a":[2,{"x":2,"y":1}],"b":2}'], ['put', '{}']]));
    expect(a.textDigest).toBe(b.textDigest);
    expect(a.textDigest).not.toBe(c.textDigest);
    expect(sameToolCalls(a, b)).toBe(true);
    expect(sameToolCalls(a, c)).toBe(false);
  });

  it('assembles a stream from its deltas: text, and tool calls split across chunks', () => {
    const streamed = new StreamedAnswer();
    streamed.add(chunk({ role: 'assistant', content: 'h' }));
    streamed.add(chunk({ content: 'i' }));
    streamed.add(chunk({ content: 'ignored: another choice' }, 1));
    streamed.add(chunk({ tool_calls: [{ index: 0, id: 'c0', function: { name: 'get', arguments: '{"b":' } }] }));
    streamed.add(chunk({ tool_calls: [{ index: 0, function: { arguments: '1,"a":[2,{"y":1,"x":2}]}' } }] }));
    streamed.add({ data: 'not json {"delta"' });
    streamed.add({ data: JSON.stringify({ choices: [], usage: { prompt_tokens: 1 } }) });
    const json = summarizeCompletion(completion('hi', [['get', '{"a":[2,{"x":2,"y":1}],"b":1}']]));
    expect(streamed.summary()).toEqual(json);
  });

  it('keeps arguments that are not JSON, or absurdly deep, as text', () => {
    expect(canonicalArguments('not json')).toBe('not json');
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    expect(canonicalArguments(deep)).toBe(deep);
  });

  it('gives up comparing tool calls beyond its bounds instead of growing', () => {
    const streamed = new StreamedAnswer();
    const big = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 20; i++) streamed.add(chunk({ tool_calls: [{ index: 0, function: { name: i === 0 ? 'f' : undefined, arguments: big } }] }));
    expect(streamed.summary().toolCalls).toBeUndefined();
    const far = new StreamedAnswer();
    far.add(chunk({ tool_calls: [{ index: 1e9, function: { name: 'f', arguments: '{}' } }] }));
    expect(far.summary().toolCalls).toBeUndefined();
    expect(sameToolCalls(far.summary(), summarizeCompletion(completion('')))).toBeUndefined();
  });

  it('tolerates bodies of the wrong shape', () => {
    for (const body of [null, 'x', { choices: 'no' }, { choices: [null] }, { choices: [{ message: { content: 5, tool_calls: [null, { function: 3 }] } }] }]) {
      expect(summarizeCompletion(body).textDigest).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
