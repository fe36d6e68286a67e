import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { GatewayError } from './errors.ts';

// The one check every /admin/* route makes: a Bearer key matching `server.adminKey`.

export class AdminKey {
  readonly #digest: Buffer | undefined;

  constructor(key: string | undefined) {
    this.#digest = key === undefined ? undefined : digest(key);
  }

  /** No admin key configured: the admin endpoints do not exist (404), rather than being guessable. */
  check(headers: IncomingHttpHeaders, method: string, path: string): void {
    if (this.#digest === undefined) throw new GatewayError('not_found', `Unknown route: ${method} ${path}`);
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
    // Hashing both sides makes the comparison constant-time whatever the presented length.
    if (match === null || !timingSafeEqual(digest(match[1]!), this.#digest)) {
      throw new GatewayError('invalid_api_key', 'Incorrect admin key provided.');
    }
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
