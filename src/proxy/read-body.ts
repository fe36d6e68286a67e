import type { IncomingMessage } from 'node:http';
import { bodyPolicyOf } from './body-policy.ts';
import { GatewayError } from './errors.ts';

// Reads a request body straight from the socket, refusing it as soon as it is known to be
// too large: from Content-Length before reading anything, or while reading a chunked body.
// On the gateway's server, the connection's body policy also bounds it: the body must arrive
// within the body timeout (408), and each chunk must fit the server-wide budget for bodies
// being received (503 gateway_overloaded, retry shortly). Bytes are reserved as they arrive,
// not as declared, so holding budget costs a client the bandwidth of really sending them.

export function readBody(incoming: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(incoming.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  const policy = bodyPolicyOf(incoming.socket);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let timer: NodeJS.Timeout | undefined;
    const settle = () => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      incoming.off('aborted', onAborted);
      policy?.budget.give(size);
    };
    const fail = (error: GatewayError) => {
      settle();
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > limit) return fail(tooLarge(limit));
      if (policy !== undefined && !policy.budget.take(chunk.length)) return fail(overloaded());
      size += chunk.length;
      chunks.push(chunk);
    };
    const onEnd = () => {
      settle();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) =>
      fail(err instanceof GatewayError ? err : new GatewayError('invalid_request', 'The request body could not be read.', { cause: err }));
    const onAborted = () => onError(new Error('client aborted while sending the body'));
    if (policy !== undefined) {
      timer = setTimeout(
        () => fail(new GatewayError('request_timeout', `The request body did not arrive within ${policy.timeoutMs} ms.`)),
        policy.timeoutMs,
      );
    }
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onError);
    incoming.on('aborted', onAborted);
  });
}

export function tooLarge(limit: number): GatewayError {
  return new GatewayError('request_too_large', `The request body is larger than the ${limit} bytes this gateway accepts.`);
}

function overloaded(): GatewayError {
  return new GatewayError('gateway_overloaded', 'The gateway is receiving too many request bodies at once; retry shortly.', {
    retryAfter: '1',
  });
}
