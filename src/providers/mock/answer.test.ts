import { describe, expect, it } from 'vitest';
import { exampleFor, mockAnswer, promptChars } from './answer.ts';

const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, note: { type: 'string' } },
      required: ['city', 'unit'],
    },
  },
};
const time = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };
const tools = [weather, time];
const user = (content: unknown) => ({ role: 'user', content });

describe('mockAnswer: text', () => {
  it('echoes the last user message', () => {
    expect(mockAnswer({ messages: [{ role: 'system', content: 'be nice' }, user('first'), user('hello there')] })).toEqual({
      content: 'Echo: hello there',
      toolCalls: [],
      finishReason: 'stop',
    });
  });

  it('joins the text parts of a content-part array, skipping other parts', () => {
    const content = [
      { type: 'text', text: 'look at' },
      { type: 'image_url', image_url: { url: 'https://x/y.png' } },
      { type: 'text', text: 'this' },
    ];
    expect(mockAnswer({ messages: [user(content)] }).content).toBe('Echo: look at\nthis');
  });

  it('acknowledges a tool result', () => {
    const answer = mockAnswer({
      tools,
      messages: [user('weather?'), { role: 'assistant', content: null }, { role: 'tool', tool_call_id: 'c', content: '21C' }],
    });
    expect(answer).toEqual({ content: 'Tool result received: 21C', toolCalls: [], finishReason: 'stop' });
  });

  it('answers an empty or missing message list with an empty echo', () => {
    expect(mockAnswer({}).content).toBe('Echo: ');
    expect(mockAnswer({ messages: 'nope' }).content).toBe('Echo: ');
  });

  it('caps the echoed text at 4000 characters', () => {
    expect(mockAnswer({ messages: [user('a'.repeat(5000))] }).content).toBe(`Echo: ${'a'.repeat(4000)}`);
  });

  it('does not call tools nobody named', () => {
    expect(mockAnswer({ tools, messages: [user('just chatting')] }).toolCalls).toEqual([]);
  });
});

describe('mockAnswer: tool calls', () => {
  it('calls the function tool_choice forces, with arguments satisfying its schema', () => {
    const answer = mockAnswer({
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [user('get_time please')],
    });
    expect(answer.content).toBeNull();
    expect(answer.finishReason).toBe('tool_calls');
    expect(answer.toolCalls).toHaveLength(1);
    expect(answer.toolCalls[0]!.name).toBe('get_weather');
    expect(JSON.parse(answer.toolCalls[0]!.arguments)).toEqual({ city: 'example', unit: 'celsius' });
    expect(answer.toolCalls[0]!.id).toMatch(/^call_[0-9a-f]{24}$/);
  });

  it('calls nothing when tool_choice names a function that was not offered', () => {
    const answer = mockAnswer({ tools, tool_choice: { type: 'function', function: { name: 'nope' } }, messages: [user('hi')] });
    expect(answer).toEqual({ content: 'Echo: hi', toolCalls: [], finishReason: 'stop' });
  });

  it("calls the first tool when tool_choice is 'required'", () => {
    const answer = mockAnswer({ tools, tool_choice: 'required', messages: [user('hi')] });
    expect(answer.toolCalls.map((t) => t.name)).toEqual(['get_weather']);
    expect(answer.finishReason).toBe('tool_calls');
  });

  it('calls every tool the user message names, in parallel', () => {
    const answer = mockAnswer({ tools, messages: [user('use get_time and get_weather')] });
    // In the order the tools were offered.
    expect(answer.toolCalls.map((t) => t.name)).toEqual(['get_weather', 'get_time']);
    expect(new Set(answer.toolCalls.map((t) => t.id)).size).toBe(2);
    expect(answer.toolCalls[1]!.arguments).toBe('{}');
  });

  it('calls only one named tool when parallel_tool_calls is false', () => {
    const answer = mockAnswer({ tools, parallel_tool_calls: false, messages: [user('use get_time and get_weather')] });
    expect(answer.toolCalls.map((t) => t.name)).toEqual(['get_weather']);
  });

  it("calls nothing when tool_choice is 'none', even when tools are named", () => {
    const answer = mockAnswer({ tools, tool_choice: 'none', messages: [user('use get_weather')] });
    expect(answer).toEqual({ content: 'Echo: use get_weather', toolCalls: [], finishReason: 'stop' });
  });

  it('ignores tools that are not well-formed functions', () => {
    const answer = mockAnswer({ tools: [{ type: 'function' }, { function: { name: 7 } }, time], messages: [user('get_time')] });
    expect(answer.toolCalls.map((t) => t.name)).toEqual(['get_time']);
  });

  it('is deterministic', () => {
    const body = { tools, messages: [user('get_weather')] };
    expect(mockAnswer(body)).toEqual(mockAnswer(structuredClone(body)));
  });
});

describe('exampleFor', () => {
  it('fills required properties with values of their types, and leaves optional ones out', () => {
    const schema = {
      type: 'object',
      properties: {
        s: { type: 'string' },
        n: { type: 'number' },
        i: { type: 'integer', minimum: 5 },
        b: { type: 'boolean' },
        a: { type: 'array', items: { type: 'string' } },
        z: { type: 'null' },
        e: { enum: ['x', 'y'] },
        c: { const: 42 },
        u: { type: ['string', 'null'] },
        o: { type: 'object', properties: { deep: { type: 'integer' } }, required: ['deep'] },
        optional: { type: 'string' },
      },
      required: ['s', 'n', 'i', 'b', 'a', 'z', 'e', 'c', 'u', 'o'],
    };
    expect(exampleFor(schema)).toEqual({ s: 'example', n: 1, i: 5, b: true, a: [], z: null, e: 'x', c: 42, u: 'example', o: { deep: 1 } });
  });

  it('prefers enum over type', () => {
    expect(exampleFor({ type: 'integer', enum: [3, 4] })).toBe(3);
  });

  it('gives an object for a missing or non-object schema', () => {
    expect(exampleFor(undefined)).toEqual({});
    expect(exampleFor('string')).toEqual({});
    expect(exampleFor({ type: 'object', required: ['x'] })).toEqual({ x: {} });
  });
});

describe('promptChars', () => {
  it('counts the text of every message', () => {
    expect(promptChars({ messages: [user('abc'), { role: 'assistant', content: [{ type: 'text', text: 'de' }] }, { role: 'x' }] })).toBe(5);
    expect(promptChars({})).toBe(0);
  });
});
