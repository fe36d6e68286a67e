import type { Logger } from 'pino';
import { hashKey } from '../config/keys.ts';
import type { Config } from '../config/schema.ts';

// The README publishes a demo key so `npm start` works in one step on 127.0.0.1. Listening on
// any other address with that key would open the gateway to anyone who read the README, so
// there the key is removed from its tenant (loudly), unless `server.allowDemoKey` says otherwise.

export const DEMO_KEY = 'tg-demo-key';
const DEMO_KEY_HASH = hashKey(DEMO_KEY);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function withoutDemoKeyBeyondLoopback(config: Config, host: string, logger: Logger): Config {
  if (config.server.allowDemoKey || isLoopback(host)) return config;
  const holders = Object.keys(config.tenants).filter((name) => config.tenants[name]!.keys.includes(DEMO_KEY_HASH));
  if (holders.length === 0) return config;
  const tenants = Object.fromEntries(
    Object.entries(config.tenants).map(([name, spec]) => [name, { ...spec, keys: spec.keys.filter((key) => key !== DEMO_KEY_HASH) }]),
  );
  logger.warn(
    { tenants: holders, host },
    `the published demo key "${DEMO_KEY}" is disabled: the gateway listens on ${host}, beyond this machine (server.allowDemoKey: true keeps it)`,
  );
  return Object.freeze({ ...config, tenants });
}
