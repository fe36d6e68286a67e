// W3C trace context passed through when tracing is off: the gateway stays transparent to
// a caller's trace. Only well-formed headers are forwarded.

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** With tracing off, a valid incoming trace context is passed upstream unchanged (the gateway stays transparent). */
export function passThroughTraceHeaders(headers: NodeJS.Dict<string | string[]>): Record<string, string> | undefined {
  const parent = headers.traceparent;
  if (typeof parent !== 'string' || !TRACEPARENT.test(parent)) return undefined;
  const state = headers.tracestate;
  return typeof state === 'string' && state.length <= 512 && /^[\x20-\x7e]*$/.test(state) ? { traceparent: parent, tracestate: state } : { traceparent: parent };
}
