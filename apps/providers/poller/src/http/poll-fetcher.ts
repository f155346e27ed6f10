import { type Clock, EgressPolicy, egressFetch, parseRetryAfter } from '@flint/common';
import type { HostLimiter } from './host-limiter';
import type { PollRequest } from './poll-request';

/** Validators of the response a conditional request compares against. */
export interface Conditional {
  etag?: string;
  lastModified?: string;
}

export type FetchResult =
  { notModified: true } | { notModified: false; body: unknown; validators: Conditional };

/** A poll request that failed; `retryAfterMs` is what the server asked for (429, 503). */
export class PollError extends Error {
  override readonly name: string = 'PollError';

  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type PollFetcher = (
  request: PollRequest,
  conditional: Conditional | undefined,
  signal: AbortSignal,
) => Promise<FetchResult>;

const ERROR_BODY_CHARS = 200;

/**
 * Sends poll requests with fetch, bounded per host and by a timeout, and only where the egress policy
 * allows (`FLINT_EGRESS_*`; redirects too).
 */
export function httpPollFetcher(options: {
  limiter: HostLimiter;
  timeoutMs: number;
  clock: Clock;
  egress?: EgressPolicy;
}): PollFetcher {
  const fetch = egressFetch(options.egress ?? EgressPolicy.DEFAULT);
  return async (request, conditional, signal) => {
    const url = new URL(request.url);
    return options.limiter.run(url.host, signal, async () => {
      const headers = { ...request.headers };
      if (conditional?.etag) headers['if-none-match'] = conditional.etag;
      if (conditional?.lastModified) headers['if-modified-since'] = conditional.lastModified;
      let response: Response;
      try {
        response = await fetch(url, {
          method: request.method,
          headers,
          body: request.body,
          signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        });
      } catch (err) {
        const reason = isTimeout(err) ? `no answer within ${options.timeoutMs} ms` : causeText(err);
        throw new PollError(
          `${request.method} ${safeUrl(url)} failed: ${reason}`,
          undefined,
          undefined,
          {
            cause: err,
          },
        );
      }
      return readResponse(request, url, response, options.clock);
    });
  };
}

async function readResponse(
  request: PollRequest,
  url: URL,
  response: Response,
  clock: Clock,
): Promise<FetchResult> {
  if (response.status === 304) {
    await response.body?.cancel();
    return { notModified: true };
  }
  const text = await response.text();
  if (!response.ok) {
    const wait = parseRetryAfter(response.headers.get('retry-after'), clock.now());
    const snippet = text.length > ERROR_BODY_CHARS ? `${text.slice(0, ERROR_BODY_CHARS)}…` : text;
    throw new PollError(
      `${request.method} ${safeUrl(url)} answered ${response.status}${snippet ? `: ${snippet}` : ''}`,
      response.status,
      wait,
    );
  }
  let body: unknown;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch (err) {
    throw new PollError(
      `${request.method} ${safeUrl(url)} answered ${response.status} with a body that is not JSON: ${(err as Error).message}`,
      response.status,
    );
  }
  const validators: Conditional = {};
  const etag = response.headers.get('etag');
  const lastModified = response.headers.get('last-modified');
  if (etag) validators.etag = etag;
  if (lastModified) validators.lastModified = lastModified;
  return { notModified: false, body, validators };
}

/** The URL without its query, which may carry tokens, for messages. */
function safeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function isTimeout(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'TimeoutError';
}

function causeText(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const message = err instanceof Error ? err.message : String(err);
  return cause instanceof Error ? `${message} (${cause.message})` : message;
}
