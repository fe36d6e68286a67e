// OpenAI's error envelope, with the messages/types/codes the real API uses for common statuses, so
// a gateway's error mapping is exercised against realistic bodies.

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function openAiError(message: string, type: string, code: string | null = null, param: string | null = null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

export function openAiErrorForStatus(status: number): OpenAiErrorBody {
  switch (status) {
    case 400:
      return openAiError('Invalid request (scripted by fake upstream).', 'invalid_request_error');
    case 401:
      return openAiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    case 403:
      return openAiError('You are not allowed to perform this request.', 'permission_error');
    case 404:
      return openAiError('The model does not exist or you do not have access to it.', 'invalid_request_error', 'model_not_found', 'model');
    case 429:
      return openAiError('Rate limit reached for requests. Please try again later.', 'requests', 'rate_limit_exceeded');
    default:
      return status >= 500
        ? openAiError('The server had an error while processing your request. Sorry about that!', 'server_error')
        : openAiError(`Request failed with status ${status} (scripted by fake upstream).`, 'invalid_request_error');
  }
}

export function unparsableJsonError(): OpenAiErrorBody {
  return openAiError(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
    'invalid_request_error',
  );
}

export function unknownUrlError(method: string, path: string): OpenAiErrorBody {
  return openAiError(`Unknown request URL: ${method} ${path}. Please check the URL for typos.`, 'invalid_request_error', 'unknown_url');
}
