import type { Socket } from 'node:net';

// Server-wide rules for receiving request bodies, set per connection by the server and read
// by readBody: how long a body may take, and one budget for the bytes of all bodies being
// received at once, so many slow or large uploads cannot add up to unbounded memory.

/** Bytes of request bodies held in memory while they arrive, across all connections. */
export class BodyBudget {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  /** Reserves `bytes`, or returns false (reserving nothing) when the budget cannot hold them. */
  take(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.#used -= bytes;
  }
}

export interface BodyPolicy {
  /** From when reading starts (right after the headers) to the end of the body. */
  readonly timeoutMs: number;
  readonly budget: BodyBudget;
}

const policies = new WeakMap<Socket, BodyPolicy>();

export function applyBodyPolicy(socket: Socket, policy: BodyPolicy): void {
  policies.set(socket, policy);
}

/** Undefined for a request not served by the gateway's server (unit tests): no deadline, no budget. */
export function bodyPolicyOf(socket: Socket | null | undefined): BodyPolicy | undefined {
  return socket == null ? undefined : policies.get(socket);
}
