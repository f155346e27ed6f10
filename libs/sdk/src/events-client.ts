/** Where and as whom `emit` sends events: Flint's API and an API key with the editor role. */
export interface EventsClientOptions {
  /** The API's base URL, like "http://localhost:8080". Default: FLINT_API_URL. */
  url?: string;
  /** Default: FLINT_API_KEY. */
  apiKey?: string;
  /** How long one call may take, in ms. Default 10000. */
  timeoutMs?: number;
}

export interface EmitOptions {
  /** A stable id, so a retried call is recognised as the same event. Default: a new one. */
  id?: string;
  /** The CloudEvent source. Default "flint/api". */
  source?: string;
  subject?: string;
}

export class EmitError extends Error {
  override readonly name = 'EmitError';
  /** The API's HTTP status, when it answered. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/**
 * Sends custom events to Flint (`POST /api/events`). `emit` resolves with the event id once Flint's
 * Kafka has the event, so a trigger listening to its type will see it.
 */
export class EventsClient {
  private readonly url: string;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: EventsClientOptions = {}) {
    const url = options.url ?? process.env.FLINT_API_URL;
    if (!url) throw new EmitError('no API URL: pass { url } or set FLINT_API_URL');
    this.url = url.replace(/\/+$/, '');
    this.apiKey = options.apiKey ?? process.env.FLINT_API_KEY;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async emit(type: string, data?: unknown, options: EmitOptions = {}): Promise<string> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/api/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: JSON.stringify({ type, ...options, ...(data === undefined ? {} : { data }) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new EmitError(
        `could not reach ${this.url}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    const text = await response.text();
    if (response.status !== 202) {
      throw new EmitError(
        `Flint refused the event (HTTP ${response.status}): ${errorText(text)}`,
        response.status,
      );
    }
    return (JSON.parse(text) as { eventId: string }).eventId;
  }
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the body itself says it
  }
  return body.slice(0, 500);
}
