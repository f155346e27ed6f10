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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
