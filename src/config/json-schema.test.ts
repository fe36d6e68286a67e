import { describe, expect, it } from 'vitest';
import { configJsonSchema } from './json-schema.ts';
import { hashKey } from './keys.ts';

describe('hashKey', () => {
  it('is "sha256:" and 64 lowercase hex digits of the key', () => {
    // The demo key documented in config/tollgate.yaml.
    expect(hashKey('tg-demo-key')).toBe('sha256:e7aab4b439baa8c615eb31e352f5b4259085813fbcd95a65a5a346a6bdfb1bb3');
    expect(hashKey('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hashKey('anything')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('differs for different keys', () => {
    expect(hashKey('a')).not.toBe(hashKey('b'));
  });
});

// ---- json-schema.ts ----

describe('configJsonSchema', () => {
  const schema = configJsonSchema() as {
    type?: string;
    title?: string;
    properties?: Record<string, { additionalProperties?: unknown }>;
    required?: string[];
    additionalProperties?: unknown;
  };

  it('is an object schema titled for the config file', () => {
    expect(schema.type).toBe('object');
    expect(schema.title).toBe('Tollgate configuration');
  });

  it('lists every top-level section', () => {
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual(['approvals', 'cache', 'idempotency', 'logging', 'models', 'policies', 'pricing', 'providers', 'server', 'state', 'telemetry', 'tenants']);
  });

  it('is strict and requires only the sections without defaults (input side)', () => {
    expect(schema.additionalProperties).toBe(false);
    expect([...(schema.required ?? [])].sort()).toEqual(['models', 'providers', 'tenants']);
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
