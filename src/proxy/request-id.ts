import { randomUUID } from 'node:crypto';

// An incoming x-request-id is honoured when it looks like an id (so traces join up across
// services); anything else is replaced, so logs cannot be injected through it.
const SAFE_ID = /^[A-Za-z0-9._:@\/+=-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && SAFE_ID.test(header) ? header : randomUUID();
}
