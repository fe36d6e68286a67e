import { GatewayError } from '../../proxy/errors.ts';
import { readUpstreamError, upstreamReportedError, upstreamStatusError } from '../openai/upstream-errors.ts';
import { scrub } from '../openai/scrub.ts';

// Anthropic's errors (`{"type":"error","error":{"type","message"}}`) mapped to ours. The
// status decides most of it, as for any provider; Anthropic's types add two things the
// status alone does not say: `overloaded_error` (HTTP 529, or an error event inside a
// 200 stream) is a retryable 503-class failure, and a prompt longer than the model's
// window is `context_length_exceeded`, so the fallback loop can look for a larger one.

const TOO_LONG = /prompt is too long|exceeds? (?:the )?(?:model'?s? )?context|context window/i;

/** What the fallback loop should see for a non-2xx answer. */
export function anthropicStatusError(provider: string, status: number, text: string, retryAfter: string | undefined, secrets: readonly string[]): GatewayError {
  const info = readUpstreamError(text);
  if (status === 400 && info.message !== undefined && TOO_LONG.test(info.message)) {
    return new GatewayError('invalid_request', scrub(info.message, secrets), {
      relayed: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' },
    });
  }
  if (info.type === 'overloaded_error' && status !== 529 && status !== 503) {
    return new GatewayError('upstream_unavailable', `Provider "${provider}" is overloaded (HTTP ${status}).`, { retryAfter });
  }
  return upstreamStatusError(provider, status, text, retryAfter, secrets);
}

/** An error the provider reported inside a 200 answer: a stream's `error` event or an error body. */
export function anthropicReportedError(provider: string, text: string, where: 'stream' | 'body', secrets: readonly string[]): GatewayError {
  const info = readUpstreamError(text);
  const message = info.message === undefined ? 'no message' : scrub(info.message, secrets);
  switch (info.type) {
    case 'overloaded_error':
      // Retryable, as the same answer with HTTP 529 would be.
      return new GatewayError('upstream_unavailable', `Provider "${provider}" is overloaded: ${message}`, { upstream: { status: 529 } });
    case 'rate_limit_error':
      return new GatewayError('upstream_rate_limited', `Provider "${provider}" reported a rate limit in its ${where}: ${message}`, { upstream: { status: 429 } });
    case 'timeout_error':
      return new GatewayError('upstream_timeout', `Provider "${provider}" reported a timeout in its ${where}: ${message}`);
    default:
      return upstreamReportedError(provider, text, where, secrets);
  }
}
