import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLIENT_SEND_TIMEOUT_END, noteGatewayEnd } from '../proxy/gateway-end.ts';

// Guards every response gets from the server, whichever route answers it.

/**
 * Send timeout: a client that takes nothing of a response with bytes waiting for it, for
 * `sendMs`, is cut (socket destroyed, which cancels the upstream call), so a reader that
 * stalls cannot hold a connection, a kernel send buffer and an upstream call open. The
 * socket's idle timer fires after `sendMs` without reads or writes (Node re-arms it while a
 * queued write makes progress); a response merely waiting on its provider has nothing
 * queued and is left alone.
 */
export function enforceSendTimeout(request: IncomingMessage, response: ServerResponse, sendMs: number): void {
  response.setTimeout(sendMs, () => {
    const socket = response.socket;
    if (socket === null || socket.writableLength === 0) return;
    noteGatewayEnd(request, CLIENT_SEND_TIMEOUT_END);
    socket.destroy();
  });
}

export interface LingerBounds {
  readonly maxBytes: number;
  readonly maxMs: number;
}

/**
 * Lingering close (as nginx does): when a response is finished before its request body was
 * read (refused as too large, unauthenticated, over the body budget), the rest of the body is
 * read and thrown away, within bounds, before the connection is reused or closed. Closing a
 * socket that still has unread data makes the kernel send a reset, which can destroy the
 * answer before the client reads it. Past the bounds, the connection is closed anyway.
 */
export function lingerOnUnreadBody(request: IncomingMessage, response: ServerResponse, bounds: LingerBounds): void {
  // 'prefinish', not 'finish': Node decides on 'finish' whether to discard the body itself,
  // and skips that when a reader is already attached.
  response.once('prefinish', () => {
    if (request.complete || request.destroyed) return;
    let bytes = 0;
    const stop = () => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', stop);
      request.off('close', stop);
    };
    const giveUp = () => {
      stop();
      request.socket.destroy();
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > bounds.maxBytes) giveUp();
    };
    const timer = setTimeout(giveUp, bounds.maxMs);
    timer.unref();
    request.on('data', onData);
    request.once('end', stop);
    request.once('close', stop);
    request.resume();
  });
}
