import { describe, expect, it } from 'vitest';
import { buildModelTable } from '../router/model-table.ts';
import { buildProviders } from '../providers/registry.ts';
import { hashKey } from './keys.ts';
import { ConfigError, parseConfig } from './load.ts';

// The `contextOverflow` and `shadow` keys of a model, and what the model table makes of them.

const config = (model: string) => `
providers:
  openai: { kind: openai, baseUrl: "https://api.openai.com/v1", apiKey: "\${KEY}" }
  local: { kind: openai, baseUrl: "http://127.0.0.1:8000/v1", timeouts: { total: 45s } }
models:
  gpt-4o:
${model}
tenants:
  team: { keys: ["${hashKey('k')}"], models: ["*"] }
`;

function problemsOf(text: string): readonly string[] {
  try {
    parseConfig(text, 'test.yaml', { KEY: 'sk' });
  } catch (err) {
    return (err as ConfigError).problems;
  }
  return [];
}

describe('contextOverflow and shadow', () => {
  it('accepts the documented shape, defaults contextOverflow to fallback, and resolves windows and the shadow target', () => {
    const loaded = parseConfig(
      config(`    targets:
      - { provider: openai, model: gpt-4o }
      - { provider: local, model: qwen2.5-72b, contextWindow: 32768 }
      - { provider: local, model: unknown-model }
    contextOverflow: trim
    shadow: { provider: local, model: candidate-1, sample: 0.05 }`),
      'test.yaml',
      { KEY: 'sk' },
    );
    expect(loaded.config.models['gpt-4o']!.contextOverflow).toBe('trim');
    const providers = buildProviders(loaded);
    const entry = buildModelTable(loaded.config, providers).get('gpt-4o')!;
    expect(entry.targets.map((t) => t.contextWindow)).toEqual([128_000, 32_768, undefined]);
    expect(entry.shadow).toMatchObject({ model: 'candidate-1', sample: 0.05, timeoutMs: 45_000 });
    expect(entry.shadow!.provider.name).toBe('local');
    void providers.close();

    const plain = parseConfig(config('    targets: [{ provider: openai, model: gpt-4o }]'), 'test.yaml', { KEY: 'sk' });
    expect(plain.config.models['gpt-4o']!.contextOverflow).toBe('fallback');
    expect(plain.config.models['gpt-4o']!.shadow).toBeUndefined();
  });

  it('a config contextWindow overrides the built-in one', () => {
    const loaded = parseConfig(config('    targets: [{ provider: openai, model: gpt-4o, contextWindow: 1000 }]'), 'test.yaml', { KEY: 'sk' });
    const providers = buildProviders(loaded);
    expect(buildModelTable(loaded.config, providers).get('gpt-4o')!.targets[0]!.contextWindow).toBe(1000);
    void providers.close();
  });

  it('names every mistake with its path', () => {
    expect(
      problemsOf(
        config(`    targets: [{ provider: openai, model: gpt-4o }]
    contextOverflow: shorten
    shadow: { provider: nowhere, model: "", sample: 1.5, extra: 1 }`),
      ),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^models\.gpt-4o\.contextOverflow: .*"fallback".*"trim".*"reject"/),
        expect.stringMatching(/^models\.gpt-4o\.shadow\.sample: /),
        expect.stringMatching(/^models\.gpt-4o\.shadow\.model: /),
        'models.gpt-4o.shadow: unknown key "extra"',
        'models.gpt-4o.shadow.provider: unknown provider "nowhere" (configured: openai, local)',
      ]),
    );
  });

  it('a shadow on a disabled provider, or with sample 0, is off', () => {
    const loaded = parseConfig(
      config(`    targets: [{ provider: local, model: m }]
    shadow: { provider: openai, model: candidate, sample: 1 }`),
      'test.yaml',
      {},
    );
    const providers = buildProviders(loaded);
    expect(buildModelTable(loaded.config, providers).get('gpt-4o')!.shadow).toBeUndefined();
    void providers.close();
  });
});
