import { GatewayError } from '../../proxy/errors.ts';
import { scrub } from './scrub.ts';

const MAX_PLAIN_CHARS = 16 * 1024;

// Turns whatever a provider sent back into one of our errors. Provider bodies are read
// leniently: OpenAI's envelope, a bare string error, FastAPI's `detail`, a numeric `code`,
// HTML from a proxy in front, or nothing at all. Secrets are scrubbed from every message.

interface UpstreamErrorInfo {
  message: string | undefined;
  type: string | undefined;
  code: string | undefined;
  param: string | undefined;
}

export function readUpstreamError(text: string): UpstreamErrorInfo {
  const info: UpstreamErrorInfo = { message: undefined, type: undefined, code: undefined, param: undefined };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Only the start can reach the client (messages are cut to 1000 characters), and a tag
    // never spans a `<`: both keep this linear on a hostile body (64 KB of `<` took seconds).
    const plain = text.slice(0, MAX_PLAIN_CHARS).replace(/<[^<>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    info.message = plain === '' ? undefined : plain;
    return info;
  }
  const root = isRecord(parsed) ? parsed : {};
  const inner = isRecord(root.error) ? root.error : root;
  info.message = firstString(inner.message, root.error, root.detail, root.message) ?? detailMessage(root.detail);
  info.type = firstString(inner.type);
  // A numeric code (some servers send the HTTP status) is not a stable code: ignore it.
  info.code = typeof inner.code === 'string' && inner.code !== '' ? inner.code : undefined;
  info.param = firstString(inner.param);
  return info;
}

/** A non-2xx answer from a provider, mapped to the status and code the client sees. */
export function upstreamStatusError(
  provider: string,
  status: number,
  text: string,
  retryAfter: string | undefined,
  secrets: readonly string[],
): GatewayError {
  const info = readUpstreamError(text);
  const detail = info.message === undefined ? '' : `: ${scrub(info.message, secrets)}`;
  const prefix = `Provider "${provider}" answered HTTP ${status}`;

  // The request itself was at fault: relay the provider's own words, status and code so
  // clients see e.g. `context_length_exceeded` just as they would calling it directly.
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    const relayedStatus = status === 422 ? 400 : status;
    const fallback = status === 404 ? 'not_found' : status === 413 ? 'request_too_large' : 'invalid_request';
    return new GatewayError('invalid_request', info.message === undefined ? prefix : scrub(info.message, secrets), {
      param: info.param ?? null,
      relayed: { status: relayedStatus, type: info.type ?? 'invalid_request_error', code: info.code ?? fallback },
    });
  }
  // Our credentials, not the client's, were refused: never let it look like a bad client key,
  // and never echo the provider's message (it may quote part of the key).
  if (status === 401 || status === 403) {
    return new GatewayError('upstream_auth_failed', `Provider "${provider}" rejected the gateway's credentials (HTTP ${status}).`);
  }
  // The provider's own code says what kind of limit it is (`rate_limit_exceeded`: wait;
  // `insufficient_quota`: waiting will not help), so clients see it; ours stays for routing.
  if (status === 429) {
    const relayed = info.code === undefined ? undefined : { status: 429, type: info.type ?? 'rate_limit_error', code: info.code };
    return new GatewayError('upstream_rate_limited', `${prefix}${detail}`, { retryAfter, relayed });
  }
  if (status === 408 || status === 504) return new GatewayError('upstream_timeout', `${prefix}${detail}`);
  if (status === 503 || status === 529) return new GatewayError('upstream_unavailable', `${prefix}${detail}`, { retryAfter });
  return new GatewayError('upstream_error', `${prefix}${detail}`);
}

/**
 * An error the provider reported in a successful-looking answer: a stream's error event,
 * or a 2xx body that is an error envelope. Its HTTP status says nothing, so none is named.
 */
export function upstreamReportedError(provider: string, text: string, where: 'stream' | 'body', secrets: readonly string[]): GatewayError {
  const info = readUpstreamError(text);
  const message = info.message === undefined ? 'no message' : scrub(info.message, secrets);
  return new GatewayError('upstream_error', `Provider "${provider}" reported an error in its ${where}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

// FastAPI-style validation errors: { detail: [{ msg: "...", loc: [...] }] }
function detailMessage(detail: unknown): string | undefined {
  if (!Array.isArray(detail)) return undefined;
  const messages = detail.map((d) => (isRecord(d) ? firstString(d.msg, d.message) : undefined)).filter(Boolean);
  return messages.length > 0 ? messages.join('; ') : undefined;
}
