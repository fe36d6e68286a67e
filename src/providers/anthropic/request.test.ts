import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../proxy/errors.ts';
import { toMessagesRequest } from './request.ts';

// OpenAI chat request → Anthropic Messages request (Messages API request format).

const to = (body: Record<string, unknown>) => toMessagesRequest({ model: 'alias', ...body }, { model: 'claude-sonnet-4-5', maxTokens: 4096 });

describe('toMessagesRequest', () => {
  it('moves system and developer messages to `system` and sets the default max_tokens', () => {
    const out = to({ messages: [{ role: 'system', content: 'A' }, { role: 'developer', content: [{ type: 'text', text: 'B' }] }, { role: 'user', content: 'hi' }] });
    expect(out).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 4096, system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }], messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
  });

  it('prefers max_completion_tokens, then max_tokens; maps stop, sampling and user', () => {
    const out = to({ messages: [{ role: 'user', content: 'x' }], max_tokens: 10, max_completion_tokens: 20, stop: 'END', temperature: 2, top_p: 0.5, user: 'u', stream: true });
    expect(out).toMatchObject({ max_tokens: 20, stop_sequences: ['END'], temperature: 1, top_p: 0.5, metadata: { user_id: 'u' }, stream: true });
  });

  it('turns assistant tool calls into tool_use blocks and tool messages into one user turn of tool_result blocks', () => {
    const out = to({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: 'Calling.', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }, { id: 'b', type: 'function', function: { name: 'g', arguments: '' } }] },
        { role: 'tool', tool_call_id: 'a', content: 'one' },
        { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'two' }] },
        { role: 'user', content: 'and?' },
      ],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'go' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Calling.' }, { type: 'tool_use', id: 'a', name: 'f', input: { x: 1 } }, { type: 'tool_use', id: 'b', name: 'g', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', content: 'one' }, { type: 'tool_result', tool_use_id: 'b', content: [{ type: 'text', text: 'two' }] }, { type: 'text', text: 'and?' }] },
    ]);
  });

  it('maps images: data URLs to base64 sources, http URLs to url sources', () => {
    const out = to({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } }, { type: 'image_url', image_url: { url: 'https://x.test/a.png', detail: 'high' } }] }] });
    expect((out.messages as Array<{ content: unknown }>)[0]!.content).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
      { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } },
    ]);
  });

  it.each([
    ['auto', undefined, { type: 'auto' }],
    ['none', undefined, { type: 'none' }],
    ['required', false, { type: 'any', disable_parallel_tool_use: true }],
    [{ type: 'function', function: { name: 'f' } }, undefined, { type: 'tool', name: 'f' }],
    [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
  ])('maps tool_choice %j (parallel_tool_calls %j)', (choice, parallel, expected) => {
    const out = to({ messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }], tool_choice: choice, parallel_tool_calls: parallel });
    expect(out.tools).toEqual([{ name: 'f', input_schema: { type: 'object' } }]);
    expect(out.tool_choice).toEqual(expected);
  });

  it('opens with a user turn when the conversation does not', () => {
    const out = to({ messages: [{ role: 'system', content: 's' }, { role: 'assistant', content: 'prefill' }] });
    expect((out.messages as Array<{ role: string }>).map((m) => m.role)).toEqual(['user', 'assistant']);
  });

  it.each([
    [{ n: 3 }, 'n'],
    [{ response_format: { type: 'json_schema', json_schema: {} } }, 'response_format'],
    [{ messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }] }, 'messages[0].content[0]'],
    [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:text/plain;base64,AA' } }] }] }, 'messages[0].content[0].image_url.url'],
    [{ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id'],
    [{ messages: [{ role: 'function', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'assistant', tool_calls: [{ id: 'a', function: { name: 'f', arguments: '[1]' } }] }] }, 'messages[0].tool_calls[0].function.arguments'],
  ])('refuses what it cannot express: %j → 400 on %s', (body, param) => {
    let thrown: unknown;
    try {
      to({ messages: [{ role: 'user', content: 'x' }], ...body });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).status).toBe(400);
    expect((thrown as GatewayError).param).toBe(param);
  });
});
