import type { ApiErrorBody } from '@flint/contracts';

export type Query = Record<string, string | number | boolean | undefined>;

export interface ApiIssue {
  path: string;
  message: string;
  position?: { line: number; column: number; offset: number };
}

/** An answer of the API that is not a success, with its code, problems and, on a conflict, the version stored now. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: ApiIssue[] = [],
    readonly currentVersion?: number,
  ) {
    super(message);
  }
}

/**
 * The console's only way to the server: the public REST API under `/api`, with the session's key
 * in the Authorization header (never in a URL). A 401 means the key was revoked or is wrong: the
 * session ends and the person signs in again.
 */
export class ApiClient {
  constructor(
    private readonly key: string,
    private readonly onUnauthorized: (message: string) => void = () => undefined,
  ) {}

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, { query, signal });
  }

  post<T>(path: string, body?: unknown, options: { ifMatch?: number } = {}): Promise<T> {
    return this.request<T>('POST', path, { body, ...options });
  }

  put<T>(path: string, body: unknown, options: { ifMatch?: number } = {}): Promise<T> {
    return this.request<T>('PUT', path, { body, ...options });
  }

  async delete(path: string, options: { ifMatch?: number } = {}): Promise<void> {
    await this.request('DELETE', path, options);
  }

  async request<T>(
    method: string,
    path: string,
    options: { query?: Query; body?: unknown; ifMatch?: number; signal?: AbortSignal } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.key}` };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.ifMatch !== undefined) headers['if-match'] = `"${options.ifMatch}"`;
    let response: Response;
    try {
      response = await fetch(withQuery(path, options.query), {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(
        0,
        'unreachable',
        'The Flint API cannot be reached. Is the api service running?',
      );
    }
    const text = await response.text();
    const body = text === '' ? undefined : (JSON.parse(text) as unknown);
    if (!response.ok) {
      const error = (body as Partial<ApiErrorBody> | undefined)?.error;
      const failure = new ApiError(
        response.status,
        error?.code ?? `http_${response.status}`,
        error?.message ?? `${method} ${path} answered ${response.status}`,
        error?.issues ?? [],
        error?.currentVersion,
      );
      if (response.status === 401) this.onUnauthorized(failure.message);
      throw failure;
    }
    return body as T;
  }

  /** A streaming GET (server-sent events), with the same key; the caller reads the body. */
  async stream(path: string, query: Query, signal: AbortSignal): Promise<Response> {
    const response = await fetch(withQuery(path, query), {
      headers: { authorization: `Bearer ${this.key}`, accept: 'text/event-stream' },
      signal,
    });
    if (response.status === 401) this.onUnauthorized('this API key is no longer valid');
    return response;
  }
}

export function withQuery(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A path segment from an id (ids are slugs, but a run id has dots and some have other characters). */
export const seg = encodeURIComponent;
