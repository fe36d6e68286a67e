import type { LoadedConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';

type ProviderConfig = Config['providers'][string];
import { AnthropicProvider } from './anthropic/adapter.ts';
import { MockProvider } from './mock/provider.ts';
import { OpenAIProvider } from './openai/adapter.ts';
import type { Provider } from './types.ts';

// Builds one adapter per configured provider. A provider whose key variable is unset is
// left out (the reason is kept for the startup log and for error messages).

export interface Providers {
  readonly live: ReadonlyMap<string, Provider>;
  readonly disabled: ReadonlyMap<string, string>;
  close(): Promise<void>;
  /** Fails every in-flight upstream call with `reason` (drain timeout ran out). */
  destroy(reason: Error): Promise<void>;
}

function adapterFor(name: string, spec: ProviderConfig): Provider {
  switch (spec.kind) {
    case 'mock':
      return new MockProvider(name, spec);
    case 'anthropic':
      return new AnthropicProvider(name, spec);
    default:
      return new OpenAIProvider(name, spec);
  }
}

export function buildProviders(loaded: LoadedConfig): Providers {
  const live = new Map<string, Provider>();
  for (const [name, spec] of Object.entries(loaded.config.providers)) {
    if (loaded.disabledProviders.has(name)) continue;
    live.set(name, adapterFor(name, spec));
  }
  return {
    live,
    disabled: loaded.disabledProviders,
    close: async () => {
      await Promise.allSettled([...live.values()].map((p) => p.close()));
    },
    destroy: async (reason) => {
      await Promise.allSettled([...live.values()].map((p) => p.destroy(reason)));
    },
  };
}
