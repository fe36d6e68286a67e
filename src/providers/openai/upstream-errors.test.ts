import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../proxy/errors.ts';
import { readUpstreamError, upstreamReportedError, upstreamStatusError } from './upstream-errors.ts';

const SECRET = 'sk-live-abcdef123456';

describe('readUpstreamError', () => {
  it('reads the OpenAI envelope', () => {
    const text = JSON.stringify({
      error: { message: 'This model maximum context length is 8192 tokens', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' },
    });
    expect(readUpstreamError(text)).toEqual({
      message: 'This model maximum context length is 8192 tokens',
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
      param: 'messages',
    });
  });

  it('reads a bare string error', () => {
    expect(readUpstreamError('{"error":"model not loaded"}')).toEqual({
      message: 'model not loaded',
      type: undefined,
      code: undefined,
      param: undefined,
    });
  });

  it('reads a FastAPI detail string and a detail list', () => {
    expect(readUpstreamError('{"detail":"Not Found"}').message).toBe('Not Found');
    const list = { detail: [{ loc: ['body', 'messages'], msg: 'field required' }, { msg: 'value is not a valid integer' }, 'junk'] };
    expect(readUpstreamError(JSON.stringify(list)).message).toBe('field required; value is not a valid integer');
  });

  it('ignores a numeric code but keeps the message', () => {
    const info = readUpstreamError('{"error":{"message":"Too many requests","code":429,"type":"rate_limit"}}');
    expect(info).toEqual({ message: 'Too many requests', type: 'rate_limit', code: undefined, param: undefined });
  });

  it('ignores an empty string code', () => {
    expect(readUpstreamError('{"error":{"message":"x","code":""}}').code).toBeUndefined();
  });

  it('reads a top-level message', () => {
    expect(readUpstreamError('{"message":"overloaded"}').message).toBe('overloaded');
  });

  it('reduces HTML to its text', () => {
    const html = '<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center></body></html>';
    expect(readUpstreamError(html)).toEqual({
      message: '502 Bad Gateway 502 Bad Gateway nginx',
      type: undefined,
      code: undefined,
      param: undefined,
    });
  });

  it('reads only the start of a huge non-JSON body, and a lone < is not a tag', () => {
    const message = readUpstreamError(`<b>bad</b> a<b c ${'<'.repeat(64 * 1024)}`).message!;
    expect(message.startsWith('bad a<b c <<<')).toBe(true);
    expect(message.length).toBeLessThanOrEqual(16 * 1024);
  });

  it('has no message for an empty or whitespace body, or JSON without one', () => {
    expect(readUpstreamError('').message).toBeUndefined();
    expect(readUpstreamError('  \n ').message).toBeUndefined();
    expect(readUpstreamError('{}').message).toBeUndefined();
    expect(readUpstreamError('null').message).toBeUndefined();
    expect(readUpstreamError('[1,2]').message).toBeUndefined();
  });
});

describe('upstreamStatusError', () => {
  const envelope = (message: string, code?: string, param?: string) =>
    JSON.stringify({ error: { message, type: 'invalid_request_error', code, param } });

  it('relays a 400 with the provider message, code and param', () => {
    const err = upstreamStatusError('oa', 400, envelope('too long', 'context_length_exceeded', 'messages'), undefined, []);
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.code).toBe('invalid_request');
    expect(err.status).toBe(400);
    expect(err.message).toBe('too long');
    expect(err.param).toBe('messages');
    expect(err.toEnvelope()).toEqual({
      error: { message: 'too long', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' },
    });
  });

  it('relays 404 and 413 with their statuses and fallback codes', () => {
    const notFound = upstreamStatusError('oa', 404, '{"error":{"message":"no such model"}}', undefined, []);
    expect(notFound.status).toBe(404);
    expect(notFound.publicCode).toBe('not_found');
    expect(notFound.message).toBe('no such model');
    expect(notFound.param).toBeNull();

    const tooLarge = upstreamStatusError('oa', 413, '', undefined, []);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.publicCode).toBe('request_too_large');
    expect(tooLarge.message).toBe('Provider "oa" answered HTTP 413');
    expect(tooLarge.toEnvelope().error.type).toBe('invalid_request_error');
  });

  it('relays 422 as 400 with invalid_request unless the provider gave a code', () => {
    const err = upstreamStatusError('vllm', 422, JSON.stringify({ detail: [{ msg: 'field required' }] }), undefined, []);
    expect(err.status).toBe(400);
    expect(err.publicCode).toBe('invalid_request');
    expect(err.message).toBe('field required');
  });

  it('scrubs secrets from a relayed message', () => {
    const err = upstreamStatusError('oa', 400, envelope(`bad key ${SECRET}`), undefined, [SECRET]);
    expect(err.message).toBe('bad key [redacted]');
  });

  it.each([401, 403])('maps %d to upstream_auth_failed without the provider message', (status) => {
    const err = upstreamStatusError('oa', status, envelope(`Incorrect API key provided: sk-live-****3456`), undefined, [SECRET]);
    expect(err.code).toBe('upstream_auth_failed');
    expect(err.status).toBe(502);
    expect(err.message).toBe(`Provider "oa" rejected the gateway's credentials (HTTP ${status}).`);
    expect(err.message).not.toContain('Incorrect');
    expect(err.relayed).toBeUndefined();
  });

  it('maps 429 to upstream_rate_limited and keeps Retry-After', () => {
    const err = upstreamStatusError('oa', 429, envelope('Rate limit reached'), '20', []);
    expect(err.code).toBe('upstream_rate_limited');
    expect(err.status).toBe(429);
    expect(err.retryAfter).toBe('20');
    expect(err.message).toBe('Provider "oa" answered HTTP 429: Rate limit reached');
    expect(err.publicCode).toBe('upstream_rate_limited');
  });

  it.each(['insufficient_quota', 'rate_limit_exceeded'])('relays a 429 with the provider code %s, keeping ours for routing', (code) => {
    const err = upstreamStatusError('oa', 429, JSON.stringify({ error: { message: 'quota', type: code, code } }), undefined, []);
    expect(err.code).toBe('upstream_rate_limited');
    expect(err.status).toBe(429);
    expect(err.publicCode).toBe(code);
    expect(err.toEnvelope().error).toMatchObject({ code, type: code });
  });

  it.each([408, 504])('maps %d to upstream_timeout', (status) => {
    const err = upstreamStatusError('oa', status, '', '5', []);
    expect(err.code).toBe('upstream_timeout');
    expect(err.status).toBe(504);
    expect(err.message).toBe(`Provider "oa" answered HTTP ${status}`);
  });

  it.each([503, 529])('maps %d to upstream_unavailable and keeps Retry-After', (status) => {
    const err = upstreamStatusError('oa', status, '{"error":{"message":"Overloaded"}}', '3', []);
    expect(err.code).toBe('upstream_unavailable');
    expect(err.status).toBe(503);
    expect(err.retryAfter).toBe('3');
    expect(err.message).toBe(`Provider "oa" answered HTTP ${status}: Overloaded`);
  });

  it.each([500, 502, 418])('maps %d to upstream_error (502)', (status) => {
    const err = upstreamStatusError('oa', status, '<h1>Internal Server Error</h1>', undefined, []);
    expect(err.code).toBe('upstream_error');
    expect(err.status).toBe(502);
    expect(err.relayed).toBeUndefined();
    expect(err.message).toBe(`Provider "oa" answered HTTP ${status}: Internal Server Error`);
  });

  it('scrubs secrets in non-relayed messages too', () => {
    const err = upstreamStatusError('oa', 500, `upstream said ${SECRET}`, undefined, [SECRET]);
    expect(err.message).toBe('Provider "oa" answered HTTP 500: upstream said [redacted]');
  });
});

describe('upstreamReportedError', () => {
  it('builds an upstream_error from a stream error event', () => {
    const err = upstreamReportedError('oa', '{"error":{"message":"server had an error"}}', 'stream', []);
    expect(err.code).toBe('upstream_error');
    expect(err.message).toBe('Provider "oa" reported an error in its stream: server had an error');
    expect(upstreamReportedError('oa', '{}', 'stream', []).message).toBe('Provider "oa" reported an error in its stream: no message');
    // A 2xx body that is an error envelope: no (misleading) HTTP status in the message.
    expect(upstreamReportedError('oa', '{"error":"boom"}', 'body', []).message).toBe('Provider "oa" reported an error in its body: boom');
  });
});
