import type { IncomingMessage } from 'node:http';

// When the gateway itself cuts a response short (the drain timeout ran out, a client stopped
// reading), the request's log line must say so, not "the client went away" (499 with no
// code). The part that cuts notes why here, keyed by the request, before it closes anything;
// the logRequest stage reads the note when the response ends.

export interface GatewayEnd {
  /** The status the log line reports. */
  readonly status: number;
  readonly code: string;
}

export const SHUTTING_DOWN_END: GatewayEnd = Object.freeze({ status: 503, code: 'shutting_down' });
/** The client took nothing of a waiting response for `server.timeouts.send`: the client's fault, so 499. */
export const CLIENT_SEND_TIMEOUT_END: GatewayEnd = Object.freeze({ status: 499, code: 'client_send_timeout' });

const ends = new WeakMap<IncomingMessage, GatewayEnd>();

/** The first reason noted wins. */
export function noteGatewayEnd(request: IncomingMessage, end: GatewayEnd): void {
  if (!ends.has(request)) ends.set(request, end);
}

export function gatewayEndOf(request: IncomingMessage): GatewayEnd | undefined {
  return ends.get(request);
}
