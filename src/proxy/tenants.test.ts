import { describe, expect, it } from 'vitest';
import { hashKey } from '../config/keys.ts';
import type { Config } from '../config/schema.ts';
import { TenantDirectory } from './tenants.ts';

// Only the tenants section is read; the rest of the config does not matter here.
const config = {
  tenants: {
    team: { keys: [hashKey('team-key-1'), hashKey('team-key-2')], models: ['chat', 'embed'] },
    admin: { keys: [hashKey('admin-key')], models: ['*'] },
  },
} as unknown as Config;
const directory = new TenantDirectory(config);

describe('TenantDirectory', () => {
  it('finds the tenant of every one of its keys', () => {
    expect(directory.find('team-key-1')?.name).toBe('team');
    expect(directory.find('team-key-2')?.name).toBe('team');
    expect(directory.find('admin-key')?.name).toBe('admin');
    expect(directory.find('team-key-1')).toBe(directory.find('team-key-2'));
  });

  it('returns undefined for an unknown key, a near miss, or the hash itself', () => {
    expect(directory.find('nope')).toBeUndefined();
    expect(directory.find('')).toBeUndefined();
    expect(directory.find('team-key-1 ')).toBeUndefined();
    expect(directory.find('TEAM-KEY-1')).toBeUndefined();
    expect(directory.find(hashKey('team-key-1'))).toBeUndefined();
  });

  it('"*" allows every model, even ones not configured', () => {
    const admin = directory.find('admin-key')!;
    expect(admin.models).toBeUndefined();
    expect(directory.allows(admin, 'chat')).toBe(true);
    expect(directory.allows(admin, 'big')).toBe(true);
    expect(directory.allows(admin, 'anything')).toBe(true);
  });

  it('a model list allows exactly its models', () => {
    const team = directory.find('team-key-1')!;
    expect([...team.models!].sort()).toEqual(['chat', 'embed']);
    expect(directory.allows(team, 'chat')).toBe(true);
    expect(directory.allows(team, 'embed')).toBe(true);
    expect(directory.allows(team, 'big')).toBe(false);
    expect(directory.allows(team, 'Chat')).toBe(false);
    expect(directory.allows(team, '*')).toBe(false);
  });

  it('hands out frozen tenants', () => {
    expect(Object.isFrozen(directory.find('admin-key'))).toBe(true);
  });
});
