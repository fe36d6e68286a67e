import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../proxy/errors.ts';
import { inputMessages, toChatRequest, untranslatable } from './request.ts';

describe('Responses request → chat', () => {
  it('turns a string input into one user message after the instructions', () => {
    const chat = toChatRequest({ model: 'm', instructions: 'sys', input: 'hi', stream: true }, [], inputMessages('hi', () => {}));
    expect(chat).toEqual({ model: 'm', messages: [{ role: 'system', content: 'sys' }, { role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
  });

  it('puts parallel function calls in one assistant message, after its text', () => {
    const messages = inputMessages(
      [
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', call_id: 'a', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'b', name: 'g', arguments: '{"x":1}' },
        { type: 'function_call_output', call_id: 'a', output: 'A' },
        { type: 'function_call_output', call_id: 'b', output: [{ type: 'input_text', text: 'B' }] },
      ],
      () => {},
    );
    expect(messages).toEqual([
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'b', type: 'function', function: { name: 'g', arguments: '{"x":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'a', content: 'A' },
      { role: 'tool', tool_call_id: 'b', content: 'B' },
    ]);
  });

  it('leaves out, and reports, items chat cannot carry', () => {
    const problems: GatewayError[] = [];
    const messages = inputMessages([{ type: 'item_reference', id: 'x' }, { role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }, { role: 'user', content: 'ok' }], (e) => problems.push(e));
    expect(messages).toEqual([{ role: 'user', content: 'ok' }]);
    expect(problems.map((p) => [p.code, p.param])).toEqual([
      ['unsupported_feature', 'input[0].type'],
      ['unsupported_feature', 'input[1].content[0].type'],
    ]);
  });

  it('refuses a malformed item outright', () => {
    expect(() => inputMessages([{ type: 'function_call_output', output: 'x' }], () => {})).toThrow(/input\[0\]\.call_id/);
    expect(() => inputMessages([{ role: 'robot', content: 'x' }], () => {})).toThrow(/input\[0\]\.role/);
  });

  it('names what only a native target can do', () => {
    expect(untranslatable({ tools: [{ type: 'function', name: 'f' }, { type: 'file_search' }] })?.param).toBe('tools[1].type');
    expect(untranslatable({ background: true })?.param).toBe('background');
    expect(untranslatable({ tool_choice: { type: 'web_search_preview' } })?.param).toBe('tool_choice');
    expect(untranslatable({ tools: [{ type: 'function', name: 'f' }], tool_choice: { type: 'function', name: 'f' } })).toBeUndefined();
  });

  it('maps tool_choice, text.format and reasoning effort', () => {
    const chat = toChatRequest(
      { model: 'm', tool_choice: { type: 'function', name: 'f' }, text: { format: { type: 'json_object' } }, reasoning: { effort: 'low' }, max_output_tokens: 5 },
      [],
      [{ role: 'user', content: 'x' }],
    );
    expect(chat).toMatchObject({ tool_choice: { type: 'function', function: { name: 'f' } }, response_format: { type: 'json_object' }, reasoning_effort: 'low', max_completion_tokens: 5 });
  });
});
