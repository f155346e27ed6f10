import {
  ApiErrorBodySchema,
  type ApplyResult,
  ApplyResponseSchema,
  type Definition,
} from '@flint/contracts';

export interface ApiProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ApiProblem[] = [],
  ) {
    super(message);
  }
}

/**
 * Flint's REST API for the CLI. Each command's typed calls live next to the command and go through
 * `request`, which turns every failure (unreachable API, error body, odd body) into an `ApiError`.
 */
export class FlintApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string | undefined,
  ) {}

  async applyDefinitions(definitions: Definition[]): Promise<ApplyResult[]> {
    const body = await this.request('PUT', '/api/definitions', { definitions });
    const parsed = ApplyResponseSchema.safeParse(body);
    if (!parsed.success) throw new ApiError(200, 'the API answered with an unexpected body');
    return parsed.data.results;
  }

  /**
   * Reads a server-sent event stream of the API until `signal` aborts (resolves) or the stream
   * ends or fails (rejects with an `ApiError`), handing each event's name and parsed data on.
   */
  async follow(
    path: string,
    onEvent: (event: string, data: unknown) => void,
    signal: AbortSignal,
  ): Promise<void> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        headers: {
          accept: 'text/event-stream',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        signal,
      });
    } catch (err) {
      if (signal.aborted) return;
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? String(err);
      throw new ApiError(0, `cannot reach the Flint API at ${this.baseUrl} (${cause})`);
    }
    if (!response.ok || response.body === null) {
      const text = await response.text();
      const error = ApiErrorBodySchema.safeParse(parseJson(text));
      throw error.success
        ? new ApiError(response.status, error.data.error.message, error.data.error.issues ?? [])
        : new ApiError(response.status, `HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const chunk of response.body) {
        buffered += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const frame = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          const fields = frameFields(frame);
          if (fields.data !== undefined) onEvent(fields.event ?? 'message', parseJson(fields.data));
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw new ApiError(0, `the stream from ${this.baseUrl} broke off (${String(err)})`);
    }
    if (!signal.aborted) throw new ApiError(0, `the API at ${this.baseUrl} ended the stream`);
  }

  async request(
    method: string,
    path: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<unknown> {
    const url = new URL(path, this.baseUrl);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
          ...headers,
        },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? String(err);
      throw new ApiError(0, `cannot reach the Flint API at ${this.baseUrl} (${cause})`);
    }
    const text = await response.text();
    const body = parseJson(text);
    if (response.ok) return body;
    const error = ApiErrorBodySchema.safeParse(body);
    if (!error.success) {
      throw new ApiError(response.status, `HTTP ${response.status}: ${text.slice(0, 200)}`);
    }
    throw new ApiError(response.status, error.data.error.message, error.data.error.issues ?? []);
  }
}

/** The `event` and joined `data` lines of one server-sent event frame; comments are skipped. */
function frameFields(frame: string): { event?: string; data?: string } {
  let event: string | undefined;
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  return {
    ...(event === undefined ? {} : { event }),
    ...(data.length ? { data: data.join('\n') } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
