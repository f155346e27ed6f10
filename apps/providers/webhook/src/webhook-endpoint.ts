import type { Clock, Log } from '@flint/common';
import type { WebhookConfig } from '@flint/contracts';
import {
  type Emit,
  EmitAbortedError,
  EmitFailedError,
  type OwnedSecrets,
  SecretNotFoundError,
  type SourceHealth,
  type SourceOf,
} from '@flint/provider-sdk';
import { isTooLargeError } from '@flint/kafka';
import { authenticate } from './auth/authenticate';
import { metaVerification, slackUrlVerification } from './auth/handshakes';
import type { BodyValidator } from './body-schema';
import { EventIdentityError, type Headers, deliveryId, eventType } from './event-identity';
import {
  MalformedBodyError,
  type ParsedBody,
  UnprocessableBodyError,
  formToObject,
  parseBody,
  refuseUncarriable,
} from './request-body';
import { TokenBucket } from './token-bucket';
import { type WebhookResponse, errorResponse } from './webhook-response';

/** A source's config with what was prepared from it once, when the source started. */
export interface PreparedWebhook {
  config: WebhookConfig;
  validateBody?: BodyValidator;
}

export interface WebhookEndpointDeps {
  source: SourceOf<'webhook'>;
  prepared: PreparedWebhook;
  emit: Emit;
  secrets: OwnedSecrets;
  clock: Clock;
  log: Log;
  /**
   * Where each call's outcome goes (`ctx.health`): an accepted call is a success, a refused one a
   * failure with its status and reason, so a sender whose signatures stopped matching shows.
   */
  health: Pick<SourceHealth, 'succeeded' | 'failed'>;
  /** How long a call waits for Kafka before it is answered 503. */
  ackTimeoutMs: number;
}

export interface WebhookRequest {
  method: string;
  headers: Headers;
  rawBody: Buffer;
  /** The query string, without `?`. */
  query: string;
  receivedAt: Date;
}

/** Seconds a sender should wait before retrying while Kafka does not answer. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** One webhook source's HTTP endpoint: checks a call and turns it into one event. */
export class WebhookEndpoint {
  readonly sourceId: string;
  private readonly config: WebhookConfig;
  private readonly bucket: TokenBucket | undefined;

  constructor(private readonly deps: WebhookEndpointDeps) {
    this.sourceId = deps.source.id;
    this.config = deps.prepared.config;
    const rate = this.config.rateLimit;
    this.bucket = rate && new TokenBucket(rate.perSecond, rate.burst, () => Date.now());
  }

  get bodyLimitBytes(): number {
    return this.config.bodyLimitBytes;
  }

  /** The checks that need no body, made before it is read: method, rate limit, declared length. */
  admit(method: string, contentLength: number | undefined): WebhookResponse | undefined {
    // Meta verifies a subscription with a GET, whatever methods its deliveries use.
    const verifying = this.config.auth.type === 'meta' && method === 'GET';
    if (!this.accepts(method) && !verifying) return this.methodNotAllowed(method);
    const waitSeconds = this.bucket?.take() ?? 0;
    if (waitSeconds > 0) {
      return errorResponse(
        429,
        'rate_limited',
        `this webhook accepts at most ${this.config.rateLimit!.perSecond} calls per second; retry after ${waitSeconds} s`,
        { headers: { 'retry-after': String(waitSeconds) } },
      );
    }
    if (contentLength !== undefined && contentLength > this.bodyLimitBytes) return this.tooLarge();
    return undefined;
  }

  async handle(request: WebhookRequest): Promise<WebhookResponse> {
    const response = await this.answer(request);
    if (response.status < 300) this.deps.health.succeeded(request.receivedAt);
    else if (typeof response.body === 'object' && 'error' in response.body) {
      const { code, message } = response.body.error;
      this.deps.health.failed(`a call was refused with ${response.status} ${code}: ${message}`);
    }
    return response;
  }

  private async answer(request: WebhookRequest): Promise<WebhookResponse> {
    if (request.rawBody.length > this.bodyLimitBytes) return this.tooLarge();
    try {
      const { auth: scheme } = this.config;
      if (scheme.type === 'meta' && request.method === 'GET') {
        const answer = await metaVerification(scheme, request.query, this.deps.secrets);
        if (answer !== undefined) return answer;
        if (!this.accepts('GET')) return this.methodNotAllowed('GET');
      }
      const auth = await authenticate(
        this.config.auth,
        request,
        this.deps.secrets,
        this.deps.clock.now(),
      );
      if (!auth.ok) return errorResponse(401, 'unauthorized', auth.message);
      const body = this.readBody(request);
      const handshake = scheme.type === 'slack' ? slackUrlVerification(body.json) : undefined;
      if (handshake !== undefined) return handshake;
      const issues = this.deps.prepared.validateBody?.(body.json ?? body.data) ?? [];
      if (issues.length > 0) {
        return errorResponse(
          422,
          'schema_mismatch',
          "the body does not match the webhook's JSON Schema",
          {
            issues,
          },
        );
      }
      const event = await this.deps.emit(
        {
          id: deliveryId(this.config, request.headers, body.json),
          type: eventType(this.config, request.headers),
          data: body.data,
          datacontenttype: body.datacontenttype,
        },
        { timeoutMs: this.deps.ackTimeoutMs, acceptedAt: request.receivedAt },
      );
      return { status: 202, body: { eventId: event.id } };
    } catch (err) {
      return this.failure(err);
    }
  }

  /** A GET carries its data in the query string; other methods in the body. */
  private readBody(request: WebhookRequest): ParsedBody {
    const contentType = request.headers['content-type'];
    const body = parseBody(
      request.rawBody,
      typeof contentType === 'string' ? contentType : undefined,
    );
    if (body.data !== undefined || request.method !== 'GET' || request.query === '') return body;
    const query = formToObject(new URLSearchParams(request.query));
    refuseUncarriable(query);
    return { data: query, datacontenttype: 'application/json', json: query };
  }

  private accepts(method: string): boolean {
    return (this.config.methods as readonly string[]).includes(method);
  }

  private methodNotAllowed(method: string): WebhookResponse {
    const methods = this.config.methods.join(', ');
    return errorResponse(
      405,
      'method_not_allowed',
      `this webhook accepts ${methods}, not ${method}`,
      {
        headers: { allow: methods },
      },
    );
  }

  tooLarge(): WebhookResponse {
    return errorResponse(
      413,
      'payload_too_large',
      `the body is larger than this webhook's limit of ${this.bodyLimitBytes} bytes`,
    );
  }

  private failure(err: unknown): WebhookResponse {
    if (err instanceof MalformedBodyError || err instanceof EventIdentityError) {
      return errorResponse(400, 'invalid_request', err.message);
    }
    if (err instanceof UnprocessableBodyError) {
      return errorResponse(422, 'unprocessable_body', err.message);
    }
    if (err instanceof SecretNotFoundError) {
      this.deps.log('error', `cannot authenticate calls: ${err.message}`);
      return errorResponse(
        500,
        'auth_not_configured',
        "this webhook's secret is not configured on the server; the service log says which",
      );
    }
    if (err instanceof EmitFailedError && err.permanent) {
      if (isTooLargeError(err)) {
        return errorResponse(413, 'payload_too_large', 'the event is larger than Kafka accepts');
      }
      this.deps.log('error', `event refused: ${err.message}`);
      return errorResponse(400, 'invalid_event', err.message);
    }
    if (err instanceof EmitFailedError || err instanceof EmitAbortedError) {
      this.deps.log('warn', `event not accepted: ${err.message}`);
      return errorResponse(
        503,
        'kafka_unavailable',
        'the event could not be stored right now and was not accepted; retry later',
        { headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } },
      );
    }
    this.deps.log('error', `webhook call failed: ${String(err)}`);
    return errorResponse(
      500,
      'internal_error',
      'the webhook call failed; the service log says why',
    );
  }
}
