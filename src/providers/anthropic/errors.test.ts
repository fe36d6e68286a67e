import { describe, expect, it } from 'vitest';
import { verdictFor } from '../../router/retry-policy.ts';
import { anthropicReportedError, anthropicStatusError } from './errors.ts';

// Anthropic error bodies → our errors, and what the fallback loop makes of them.

const body = (type: string, message: string) => JSON.stringify({ type: 'error', error: { type, message } });

describe('Anthropic errors', () => {
  it.each([
    [400, 'invalid_request_error', 400, 'invalid_request', 'stop'],
    [401, 'authentication_error', 502, 'upstream_auth_failed', 'next'],
    [429, 'rate_limit_error', 429, 'upstream_rate_limited', 'retry'],
    [500, 'api_error', 502, 'upstream_error', 'retry'],
    [529, 'overloaded_error', 503, 'upstream_unavailable', 'retry'],
  ])('HTTP %i %s → %i %s (%s)', (status, type, ours, code, verdict) => {
    const error = anthropicStatusError('claude', status, body(type, 'x'), undefined, []).with({ upstream: { status } });
    expect(error.status).toBe(ours);
    expect(error.code).toBe(code);
    expect(verdictFor(error)).toBe(verdict);
  });

  it('relays a prompt too long as context_length_exceeded, which looks for a larger window', () => {
    const error = anthropicStatusError('claude', 400, body('invalid_request_error', 'prompt is too long: 201000 tokens > 200000 maximum'), undefined, []);
    expect(error.publicCode).toBe('context_length_exceeded');
    expect(verdictFor(error)).toBe('larger');
  });

  it('treats overloaded_error under any status, and in a body or stream, as retryable', () => {
    expect(verdictFor(anthropicStatusError('claude', 500, body('overloaded_error', 'Overloaded'), undefined, []))).toBe('retry');
    const reported = anthropicReportedError('claude', body('overloaded_error', 'Overloaded'), 'stream', []);
    expect(reported.code).toBe('upstream_unavailable');
    expect(verdictFor(reported)).toBe('retry');
  });

  it('never echoes the key', () => {
    const error = anthropicReportedError('claude', body('api_error', 'invalid key sk-ant-abc123456789'), 'body', ['sk-ant-abc123456789']);
    expect(error.message).not.toContain('sk-ant-abc123456789');
  });
});
