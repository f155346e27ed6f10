import type { ApiErrorBody, FormattedIssue } from '@flint/contracts';

export interface WebhookResponse {
  status: number;
  /**
   * JSON: the accepted event's id, an error, or the answer to a sender's verification handshake
   * (Slack's url_verification); text: the challenge of Meta's verification GET.
   */
  body: { eventId: string } | ApiErrorBody | { challenge: string } | string;
  headers?: Record<string, string>;
}

/** Every error as `{ error: { code, message, issues? } }`, like the API's. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  options: { issues?: FormattedIssue[]; headers?: Record<string, string> } = {},
): WebhookResponse {
  const error: ApiErrorBody['error'] = { code, message };
  if (options.issues) error.issues = options.issues;
  const response: WebhookResponse = { status, body: { error } };
  if (options.headers) response.headers = options.headers;
  return response;
}
