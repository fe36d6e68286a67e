import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/schema.ts';

// Finds the tenant a presented key belongs to. The key is hashed and the hash looked up,
// so nothing secret is compared directly; the final comparison is constant-time anyway.

export interface Tenant {
  readonly name: string;
  /** `undefined` means every configured model ("*"). */
  readonly models: ReadonlySet<string> | undefined;
}

export class TenantDirectory {
  readonly #byHash = new Map<string, { digest: Buffer; tenant: Tenant }>();

  constructor(config: Config) {
    for (const [name, spec] of Object.entries(config.tenants)) {
      const tenant: Tenant = Object.freeze({ name, models: spec.models.includes('*') ? undefined : new Set(spec.models) });
      for (const key of spec.keys) {
        const hex = key.slice('sha256:'.length);
        this.#byHash.set(hex, { digest: Buffer.from(hex, 'hex'), tenant });
      }
    }
  }

  find(presentedKey: string): Tenant | undefined {
    const digest = createHash('sha256').update(presentedKey).digest();
    const entry = this.#byHash.get(digest.toString('hex'));
    return entry !== undefined && timingSafeEqual(entry.digest, digest) ? entry.tenant : undefined;
  }

  allows(tenant: Tenant, alias: string): boolean {
    return tenant.models === undefined || tenant.models.has(alias);
  }
}
