import { describe, expect, it } from 'vitest';
import { responsesMode } from '../providers/openai/adapter.ts';
import { hashKey } from './keys.ts';
import { ConfigError, parseConfig } from './load.ts';

const config = (server: string, provider: string) => `
server: { ${server} }
providers:
  p: { kind: openai, baseUrl: "${provider}", apiKey: k }
  mock: { kind: mock }
models:
  m: { targets: [{ provider: mock, model: x }] }
tenants:
  t: { keys: ["${hashKey('k')}"], models: ["*"] }
`;

describe('server.cors and providers.NAME.responses', () => {
  it('accepts the documented shape and fills defaults', () => {
    const { config: loaded } = parseConfig(config('cors: { origins: ["https://app.example.com"] }', 'https://api.openai.com/v1'), 'c.yaml', {});
    expect(loaded.server.cors).toEqual({ origins: ['https://app.example.com'], headers: [], maxAge: 600_000 });
  });

  it('refuses an origin that is not one, and an empty list', () => {
    expect(() => parseConfig(config('cors: { origins: ["app.example.com/path"] }', 'https://x/v1'), 'c.yaml', {})).toThrow(ConfigError);
    expect(() => parseConfig(config('cors: { origins: [] }', 'https://x/v1'), 'c.yaml', {})).toThrow(ConfigError);
  });

  it('defaults responses to native only for OpenAI and Azure hosts', () => {
    const mode = (url: string, extra = '') => {
      const text = config('', url).replace('apiKey: k }', `apiKey: k${extra} }`);
      const { config: loaded } = parseConfig(text, 'c.yaml', {});
      return responsesMode(loaded.providers.p as Parameters<typeof responsesMode>[0]);
    };
    expect(mode('https://api.openai.com/v1')).toBe('native');
    expect(mode('https://res.openai.azure.com/openai/v1')).toBe('native');
    expect(mode('http://127.0.0.1:8000/v1')).toBe('translate');
    expect(mode('http://127.0.0.1:8000/v1', ', responses: native')).toBe('native');
    expect(mode('https://api.openai.com/v1', ', responses: translate')).toBe('translate');
    expect(() => mode('https://x/v1', ', responses: maybe')).toThrow(ConfigError);
  });
});
