import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { finishReasonOf, toChatCompletion } from './response.ts';
import { usageOf } from './usage.ts';

// Anthropic Messages answer (fixture in the documented format) → OpenAI chat completion.

const fixture = JSON.parse(readFileSync(new URL('../../../test/fixtures/anthropic/tool-use-message.json', import.meta.url), 'utf8'));

describe('toChatCompletion', () => {
  it('joins text, turns tool_use into tool calls, maps stop_reason and usage (cache reads as cached tokens)', () => {
    const { completion, usage } = toChatCompletion(fixture, 1700000000);
    expect(completion).toEqual({
      id: 'msg_01FixtureAaBbCcDdEeFf',
      object: 'chat.completion',
      created: 1700000000,
      model: 'claude-sonnet-4-5',
      choices: [{
        index: 0,
        message: { role: 'assistant', content: "I'll look that up.", refusal: null, tool_calls: [{ id: 'toolu_01FixtureA', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } }] },
        logprobs: null,
        finish_reason: 'tool_calls',
      }],
      usage: { prompt_tokens: 3605, completion_tokens: 503, total_tokens: 4108, prompt_tokens_details: { cached_tokens: 1500 } },
    });
    expect(usageOf(usage)).toEqual({ promptTokens: 3605, completionTokens: 503, totalTokens: 4108, cachedTokens: 1500, source: 'upstream' });
  });

  it('gives null content when there is no text, and survives malformed usage', () => {
    const { completion, usage } = toChatCompletion({ type: 'message', content: [], stop_reason: 'end_turn', usage: { input_tokens: -3, output_tokens: 'many' } });
    expect((completion.choices as Array<{ message: { content: unknown } }>)[0]!.message.content).toBeNull();
    expect(usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it.each([['end_turn', 'stop'], ['stop_sequence', 'stop'], ['max_tokens', 'length'], ['tool_use', 'tool_calls'], ['refusal', 'content_filter'], ['pause_turn', 'stop'], [null, 'stop']])('maps stop_reason %s to %s', (reason, finish) => {
    expect(finishReasonOf(reason)).toBe(finish);
  });
});
