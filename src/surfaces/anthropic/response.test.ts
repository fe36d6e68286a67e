import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../proxy/errors.ts';
import { anthropicErrorEnvelope } from './errors.ts';
import { stopReasonOf, toMessagesAnswer } from './response.ts';

// The pipeline's chat completion → an Anthropic Messages answer, and errors → Anthropic's envelope.

describe('toMessagesAnswer', () => {
  it('renders text, tool calls, stop reason and usage (cached tokens as cache reads)', () => {
    const answer = toMessagesAnswer({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }, { id: 'call_2', type: 'function', function: { name: 'g', arguments: '{broken' } }] }, finish_reason: 'tool_calls' }],
      usage: { prompt_tokens: 100, completion_tokens: 7, total_tokens: 107, prompt_tokens_details: { cached_tokens: 60 } },
    }, 'alias');
    expect(answer).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
        { type: 'tool_use', id: 'call_2', name: 'g', input: { arguments: '{broken' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 40, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 60 },
    });
  });

  it('survives an answer with nothing in it', () => {
    expect(toMessagesAnswer({}, 'alias')).toMatchObject({ id: 'msg_unknown', model: 'alias', content: [], stop_reason: 'end_turn' });
  });

  it.each([['stop', 'end_turn'], ['length', 'max_tokens'], ['tool_calls', 'tool_use'], ['content_filter', 'refusal'], [null, 'end_turn']])('maps finish_reason %s to %s', (finish, stop) => {
    expect(stopReasonOf(finish)).toBe(stop);
  });
});

describe('anthropicErrorEnvelope', () => {
  it.each([
    ['invalid_request', 'invalid_request_error'],
    ['invalid_api_key', 'authentication_error'],
    ['model_not_found', 'not_found_error'],
    ['request_too_large', 'request_too_large'],
    ['budget_exceeded', 'rate_limit_error'],
    ['upstream_unavailable', 'overloaded_error'],
    ['upstream_timeout', 'timeout_error'],
    ['upstream_error', 'api_error'],
    ['internal_error', 'api_error'],
  ] as const)('%s → %s', (code, type) => {
    expect(anthropicErrorEnvelope(new GatewayError(code, 'why'))).toEqual({ type: 'error', error: { type, message: 'why' } });
  });
});
