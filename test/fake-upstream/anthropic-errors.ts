// Anthropic's error envelope with the types its API uses for each status (529: overloaded).

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
}

export function anthropicError(type: string, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type, message } };
}

export function anthropicErrorForStatus(status: number): AnthropicErrorBody {
  switch (status) {
    case 400:
      return anthropicError('invalid_request_error', 'Invalid request (scripted by fake upstream).');
    case 401:
      return anthropicError('authentication_error', 'invalid x-api-key');
    case 403:
      return anthropicError('permission_error', 'Your API key does not have permission to use the specified resource.');
    case 404:
      return anthropicError('not_found_error', 'model: fake-claude-missing');
    case 413:
      return anthropicError('request_too_large', 'Request exceeds the maximum allowed number of bytes.');
    case 429:
      return anthropicError('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.');
    case 529:
      return anthropicError('overloaded_error', 'Overloaded');
    default:
      return status >= 500 ? anthropicError('api_error', 'Internal server error') : anthropicError('invalid_request_error', `Request failed with status ${status} (scripted by fake upstream).`);
  }
}
