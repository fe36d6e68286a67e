import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../proxy/errors.ts';
import { toChatRequest } from './request.ts';

// Anthropic Messages request (documented request format) → the pipeline's chat request.

const to = (body: Record<string, unknown>, requireMaxTokens = true) => toChatRequest({ model: 'claude', max_tokens: 100, ...body }, { requireMaxTokens });

describe('toChatRequest', () => {
  it('maps system, sampling, stops, metadata and streaming (always asking for usage)', () => {
    const out = to({ system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'hi' }], temperature: 0.3, top_p: 0.8, top_k: 5, stop_sequences: ['X'], metadata: { user_id: 'u' }, stream: true });
    expect(out).toEqual({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'system', content: 'A\n\nB' }, { role: 'user', content: 'hi' }],
      stop: ['X'],
      temperature: 0.3,
      top_p: 0.8,
      user: 'u',
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('puts tool results first as tool messages, right after the assistant tool calls', () => {
    const out = to({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: '...', signature: 's' }, { type: 'text', text: 'Calling.' }, { type: 'tool_use', id: 't1', name: 'f', input: { x: 1 } }] },
        { role: 'user', content: [{ type: 'text', text: 'also this' }, { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'a' }, { type: 'image', source: { type: 'url', url: 'https://x.test/i.png' } }], is_error: true }] },
      ],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: 'Calling.', tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{"x":1}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'Error: a\n[image]' },
      { role: 'user', content: 'also this' },
    ]);
  });

  it('maps images to image_url parts (base64 as data URLs)', () => {
    const out = to({ messages: [{ role: 'user', content: [{ type: 'text', text: 'what?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } }, { type: 'image', source: { type: 'url', url: 'https://x.test/a.jpg' } }] }] });
    expect((out.messages as Array<{ content: unknown }>)[0]!.content).toEqual([
      { type: 'text', text: 'what?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' } },
      { type: 'image_url', image_url: { url: 'https://x.test/a.jpg' } },
    ]);
  });

  it.each([
    [{ type: 'auto' }, { tool_choice: 'auto' }],
    [{ type: 'any', disable_parallel_tool_use: true }, { tool_choice: 'required', parallel_tool_calls: false }],
    [{ type: 'none' }, { tool_choice: 'none' }],
    [{ type: 'tool', name: 'f' }, { tool_choice: { type: 'function', function: { name: 'f' } } }],
  ])('maps tool_choice %j', (choice, expected) => {
    const out = to({ messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', description: 'd', input_schema: { type: 'object' } }], tool_choice: choice });
    expect(out.tools).toEqual([{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' } } }]);
    expect(out).toMatchObject(expected);
  });

  it('does not require max_tokens for count_tokens', () => {
    expect(toChatRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }] }, { requireMaxTokens: false }).max_tokens).toBeUndefined();
  });

  it.each([
    [{ max_tokens: undefined }, 'max_tokens'],
    [{ messages: 'hi' }, 'messages'],
    [{ messages: [{ role: 'system', content: 'x' }] }, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }, 'messages[0].content[0].type'],
    [{ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }, 'messages[0].content[0].source'],
    [{ messages: [{ role: 'user', content: [{ type: 'tool_result' }] }] }, 'messages[0].content[0].tool_use_id'],
    [{ system: 42 }, 'system'],
    [{ tools: [{ type: 'bash_20250124', name: 'bash' }] }, 'tools[0].type'],
    [{ tool_choice: { type: 'tool' } }, 'tool_choice.name'],
  ])('refuses %j with a 400 on %s', (body, param) => {
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
