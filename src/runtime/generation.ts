import type { HttpBindings } from '@hono/node-server';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { createApp } from '../app.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { PriceBook } from '../metering/pricing.ts';
import { buildProviders, type Providers } from '../providers/registry.ts';
import { TenantDirectory } from '../proxy/tenants.ts';
import { buildModelTable, type ModelTable } from '../router/model-table.ts';
import { withoutDemoKeyBeyondLoopback } from '../server/demo-key.ts';
import type { LongLived } from './long-lived.ts';

// Everything derived from one config: providers (their connection pools), the model table,
// tenants, prices and the request pipelines. A reload builds a new generation and swaps it
// in; each request runs to its end on the generation it started on, and a retired
// generation closes its provider pools once its last response has closed.

export interface Generation {
  readonly loaded: LoadedConfig;
  /** The config as served (the demo key removed beyond loopback). */
  readonly config: Config;
  readonly providers: Providers;
  readonly models: ModelTable;
  readonly tenants: TenantDirectory;
  readonly prices: PriceBook;
  /** Serves one request on this generation; the response counts as in flight until it closes. */
  fetch(request: Request, env: HttpBindings): Response | Promise<Response>;
  /** No new requests: close provider pools once the open responses are done. */
  retire(): void;
  readonly inflight: number;
}

export function buildGeneration(loaded: LoadedConfig, host: string, logger: Logger, longLived: LongLived): Generation {
  const config = withoutDemoKeyBeyondLoopback(loaded.config, host, logger);
  const providers = buildProviders(loaded);
  const models = buildModelTable(config, providers);
  const prices = new PriceBook(config.pricing);
  const app = createApp({ ...longLived, config, models, logger, prices });
  const open = new Set<ServerResponse>();
  let retired = false;
  let closed = false;
  const closeWhenDone = () => {
    if (!retired || closed || open.size > 0) return;
    closed = true;
    void providers.close();
  };
  return {
    loaded,
    config,
    providers,
    models,
    tenants: new TenantDirectory(config),
    prices,
    fetch(request, env) {
      const outgoing = env.outgoing;
      open.add(outgoing);
      outgoing.once('close', () => {
        open.delete(outgoing);
        closeWhenDone();
      });
      return app.fetch(request, env);
    },
    retire() {
      retired = true;
      closeWhenDone();
    },
    get inflight() {
      return open.size;
    },
  };
}
