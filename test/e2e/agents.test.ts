import { Agent, Runner, tool } from '@openai/agents';
import { OpenAIProvider } from '@openai/agents-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/config/keys.ts';
import { startHarness, TEAM_KEY, UPSTREAM_KEY, type Harness } from './harness.ts';

// OpenAI's Agents SDK pointed at the gateway (a custom OpenAI client with its base URL) runs a
// tool-using agent to completion, in its Responses mode and its chat-completions mode,
// streaming and not: on the mock provider (Responses translated over chat) and on a target
// that speaks the Responses API natively.

let h: Harness;

beforeAll(async () => {
  process.env.OPENAI_AGENTS_DISABLE_TRACING = '1';
  h = await startHarness({
    config: (fake) => `
server: { host: 127.0.0.1, port: 0 }
providers:
  native: { kind: openai, baseUrl: ${fake}, apiKey: ${UPSTREAM_KEY}, responses: native }
  mock: { kind: mock }
models:
  mock-chat: { targets: [{ provider: mock, model: mock-1 }] }
  native: { targets: [{ provider: native, model: native-model }], retries: 0, breaker: false }
tenants:
  team-a: { keys: ["${hashKey(TEAM_KEY)}"], models: ["*"] }
`,
  });
});
afterAll(() => h.close());

function weatherAgent(model: string, calls: string[]): Agent {
  const getWeather = tool({
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    strict: true,
    execute: async (input) => {
      calls.push(JSON.stringify(input));
      return 'sunny and 21C';
    },
  });
  return new Agent({ name: 'weather', instructions: 'Answer with the weather.', model, tools: [getWeather] });
}

function runner(useResponses: boolean): Runner {
  return new Runner({ modelProvider: new OpenAIProvider({ openAIClient: h.client(), useResponses }), tracingDisabled: true });
}

describe.each([
  { mode: 'Responses', useResponses: true },
  { mode: 'chat completions', useResponses: false },
])('the Agents SDK in its $mode mode on the mock provider', ({ useResponses }) => {
  it('runs a tool-using agent to completion', async () => {
    const calls: string[] = [];
    const result = await runner(useResponses).run(weatherAgent('mock-chat', calls), 'Use get_weather for Paris.');
    expect(calls).toHaveLength(1);
    expect(result.finalOutput).toBe('Tool result received: sunny and 21C');
  });

  it('runs a tool-using agent to completion, streaming', async () => {
    const calls: string[] = [];
    const result = await runner(useResponses).run(weatherAgent('mock-chat', calls), 'Use get_weather for Paris.', { stream: true });
    let deltas = 0;
    for await (const event of result) if (event.type === 'raw_model_stream_event') deltas++;
    await result.completed;
    expect(deltas).toBeGreaterThan(0);
    expect(calls).toHaveLength(1);
    expect(result.finalOutput).toBe('Tool result received: sunny and 21C');
  });
});

describe('the Agents SDK in its Responses mode on a native target', () => {
  it.each([false, true])('runs a tool-using agent to completion (stream: %s)', async (stream) => {
    h.fake.reset();
    h.fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    h.fake.enqueue({ content: 'It is sunny in Paris.' });
    const calls: string[] = [];
    const agent = weatherAgent('native', calls);
    const result = stream
      ? await runner(true).run(agent, 'Weather in Paris?', { stream: true })
      : await runner(true).run(agent, 'Weather in Paris?');
    if ('completed' in result) {
      for await (const _ of result) void _;
      await result.completed;
    }
    expect(calls).toEqual(['{"city":"Paris"}']);
    expect(result.finalOutput).toBe('It is sunny in Paris.');
    const second = h.fake.requests.filter((r) => r.path === '/v1/responses')[1]!;
    // The tool's output went back to the native target as a function_call_output item.
    expect(JSON.stringify(second.body.input)).toContain('function_call_output');
  });
});
