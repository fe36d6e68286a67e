import type { GatewayError } from '../../proxy/errors.ts';

// Our errors in Anthropic's envelope, for the Messages surface only. The status and message
// are the catalog's; the type is the one Anthropic uses for that status, so an Anthropic
// SDK raises its matching exception class (and retries what it would retry).

export interface AnthropicErrorEnvelope {
  type: 'error';
  error: { type: string; message: string };
}

export function anthropicErrorType(error: GatewayError): string {
  const status = error.status;
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 504 || status === 408) return 'timeout_error';
  if (error.code === 'upstream_unavailable' || error.code === 'gateway_overloaded') return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

export function anthropicErrorEnvelope(error: GatewayError): AnthropicErrorEnvelope {
  return { type: 'error', error: { type: anthropicErrorType(error), message: error.message } };
}
