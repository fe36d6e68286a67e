import { createHash } from 'node:crypto';

// Virtual keys are stored in config only as hashes; the gateway never needs the key itself.

export function hashKey(key: string): string {
  return `sha256:${createHash('sha256').update(key).digest('hex')}`;
}
