import Anthropic from '@anthropic-ai/sdk';
import { hashKey } from '../../src/config/keys.ts';
import { startHarness, type Harness } from './harness.ts';

// The shared harness with a config for both Anthropic directions: an Anthropic-shaped
// target on the fake upstream (`claude`), an OpenAI-shaped one (`gpt`), the built-in mock,
// and a fallback from an unreachable OpenAI-compatible target to the Anthropic one.

export const KEY = 'tg-anthropic-e2e-key';
export const CLAUDE_KEY = 'sk-ant-upstream-secret-0123456789';

export async function startAnthropicHarness(): Promise<Harness> {
  return startHarness({
    config: (fakeUrl) => `
server: { host: 127.0.0.1, port: 0, drainTimeout: 2s }
logging: { level: info }
policies: { limits: { maxBodyBytes: 64kb, maxMessages: 50 } }
providers:
  claude:
    kind: anthropic
    baseUrl: ${fakeUrl.replace(/\/v1$/, '')}
    apiKey: ${CLAUDE_KEY}
    betas: [prompt-caching-2024-07-31, token-efficient-tools-2025-02-19]
    maxTokens: 777
    timeouts: { firstByte: 2s, idle: 2s, total: 10s }
  claude-small:
    kind: anthropic
    baseUrl: ${fakeUrl.replace(/\/v1$/, '')}
    apiKey: ${CLAUDE_KEY}
    maxResponseBytes: 4kb
  claude-keyless:
    kind: anthropic
    baseUrl: ${fakeUrl.replace(/\/v1$/, '')}
    apiKey: \${TOLLGATE_TEST_UNSET_ANTHROPIC_KEY}
  fake:
    kind: openai
    baseUrl: ${fakeUrl}
    apiKey: sk-openai-upstream
  nowhere:
    kind: openai
    baseUrl: http://127.0.0.1:9/v1
    apiKey: x
  mock: { kind: mock }
models:
  claude: { targets: [{ provider: claude, model: claude-sonnet-4-5 }], retries: 0, breaker: false }
  claude-retry: { targets: [{ provider: claude, model: claude-sonnet-4-5 }], retries: 1, breaker: false }
  claude-small: { targets: [{ provider: claude-small, model: claude-sonnet-4-5 }], retries: 0, breaker: false }
  claude-keyless: { targets: [{ provider: claude-keyless, model: claude-sonnet-4-5 }] }
  gpt: { targets: [{ provider: fake, model: fake-model }], retries: 0, breaker: false }
  mock-chat: { targets: [{ provider: mock, model: mock-chat-1 }] }
  cross:
    targets: [{ provider: nowhere, model: gpt-4o }, { provider: claude, model: claude-haiku-4-5 }]
    retries: 0
    breaker: false
tenants:
  team:
    keys: ["${hashKey(KEY)}"]
    models: [claude, claude-small, claude-retry, claude-keyless, gpt, mock-chat, cross]
`,
  });
}

export function anthropicClient(h: Harness, key = KEY): Anthropic {
  return new Anthropic({ baseURL: h.gateway.url, apiKey: key, maxRetries: 0, timeout: 10_000 });
}

/** Posts to the gateway with the Anthropic SDK's headers, for raw checks of bodies and errors. */
export function postMessages(h: Harness, path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': KEY }): Promise<Response> {
  return fetch(`${h.gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
