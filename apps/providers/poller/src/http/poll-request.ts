import { createHash } from 'node:crypto';
import { CURSOR_PLACEHOLDER, type HttpPollerConfig } from '@flint/contracts';

export type CursorValue = string | number;

/** One HTTP request of a poll, ready to send. */
export interface PollRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/**
 * The request for the current cursor: `{{cursor}}` replaced in query values and body strings, the
 * cursor in `cursor.param` when set. Without a cursor yet, query values that need it are left out and
 * body strings that are exactly `{{cursor}}` become null.
 */
export function buildPollRequest(
  config: HttpPollerConfig,
  cursor: CursorValue | undefined,
  headers: Record<string, string>,
): PollRequest {
  const url = new URL(config.url);
  for (const [name, template] of Object.entries(config.query ?? {})) {
    if (!template.includes(CURSOR_PLACEHOLDER)) url.searchParams.set(name, template);
    else if (cursor !== undefined) url.searchParams.set(name, fill(template, cursor));
  }
  if (config.cursor?.param && cursor !== undefined) {
    url.searchParams.set(config.cursor.param, String(cursor));
  }
  const request: PollRequest = {
    method: config.method,
    url: url.toString(),
    headers: { accept: 'application/json', ...headers },
  };
  if (config.method === 'POST') {
    request.headers['content-type'] = 'application/json';
    request.body = JSON.stringify(fillBody(config.body ?? null, cursor));
  }
  return request;
}

function fill(template: string, cursor: CursorValue | undefined): string {
  return template.split(CURSOR_PLACEHOLDER).join(cursor === undefined ? '' : String(cursor));
}

function fillBody(value: unknown, cursor: CursorValue | undefined): unknown {
  if (value === CURSOR_PLACEHOLDER) return cursor ?? null;
  if (typeof value === 'string') return fill(value, cursor);
  if (Array.isArray(value)) return value.map((entry) => fillBody(entry, cursor));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, entry]) => [key, fillBody(entry, cursor)]),
    );
  }
  return value;
}

/** Identifies a request for conditional requests (an ETag is only valid for the same request). */
export function requestSignature(request: PollRequest): string {
  return createHash('sha256')
    .update(`${request.method} ${request.url}\n${request.body ?? ''}`)
    .digest('hex');
}
