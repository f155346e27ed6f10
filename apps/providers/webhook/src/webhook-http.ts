import { MAX_WEBHOOK_BODY_BYTES } from '@flint/contracts';
import { contextFromTraceparent, inSpan } from '@flint/telemetry';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebhookEndpoint } from './webhook-endpoint';
import { type WebhookResponse, errorResponse } from './webhook-response';
import type { WebhookRouter } from './webhook-router';

export interface WebhookHttpOptions {
  router: WebhookRouter;
  /** False until the sources defined at startup are served: calls then get 503, not 404. */
  isReady: () => boolean;
}

const METHODS = ['DELETE', 'GET', 'PATCH', 'POST', 'PUT', 'OPTIONS'];
const STARTING_RETRY_AFTER_SECONDS = 5;

/**
 * Serves `/hooks/*` in a Fastify scope of its own: every body is kept as the raw bytes (signatures
 * are computed over exactly those), checks that need no body run before it is read, and every error
 * is JSON.
 */
export function installWebhookRoutes(fastify: FastifyInstance, options: WebhookHttpOptions): void {
  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BODY_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.setErrorHandler((error: FastifyError, _request, reply) =>
      send(reply, fastifyErrorResponse(error)),
    );
    scope.addHook('onRequest', async (request, reply) => {
      const refusal = admit(request, options);
      if (refusal !== undefined) return send(reply, refusal);
    });
    scope.route({
      method: METHODS,
      url: '/hooks/*',
      handler: (request, reply) =>
        inSpan(
          'flint-webhook',
          `${request.method} /hooks/*`,
          {
            kind: SpanKind.SERVER,
            parent: contextFromTraceparent(header(request, 'traceparent')),
            attributes: {
              'http.request.method': request.method,
              'http.route': '/hooks/*',
              'url.path': request.url.split('?')[0],
            },
          },
          async (span) => {
            const endpoint = options.router.find(hookPath(request));
            const response =
              endpoint === undefined
                ? notFound(request)
                : await endpoint.handle({
                    method: request.method,
                    headers: request.headers,
                    rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
                    query: queryString(request.url),
                    receivedAt: new Date(),
                  });
            span.setAttribute('http.response.status_code', response.status);
            if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
            return send(reply, response);
          },
        ),
    });
  });
}

/** 503 while starting, 404, 405, 429 or 413: answered before the body is read. */
function admit(request: FastifyRequest, options: WebhookHttpOptions): WebhookResponse | undefined {
  if (!options.isReady()) {
    return errorResponse(503, 'starting', 'the webhook service is starting; retry shortly', {
      headers: { 'retry-after': String(STARTING_RETRY_AFTER_SECONDS) },
    });
  }
  const endpoint: WebhookEndpoint | undefined = options.router.find(hookPath(request));
  if (endpoint === undefined) return notFound(request);
  const declared = request.headers['content-length'];
  const length = declared === undefined ? undefined : Number(declared);
  return endpoint.admit(request.method, Number.isFinite(length) ? length : undefined);
}

function notFound(request: FastifyRequest): WebhookResponse {
  return errorResponse(
    404,
    'not_found',
    `no enabled webhook source has the path "${hookPath(request)}"`,
  );
}

/** The part after `/hooks/`, without the query string or a trailing slash. */
function hookPath(request: FastifyRequest): string {
  const param = (request.params as Record<string, string | undefined>)['*'];
  const path = param ?? request.url.replace(/^\/hooks\/?/, '').split('?')[0];
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

function queryString(url: string): string {
  const mark = url.indexOf('?');
  return mark === -1 ? '' : url.slice(mark + 1);
}

function fastifyErrorResponse(error: FastifyError): WebhookResponse {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return errorResponse(
      413,
      'payload_too_large',
      `the body is larger than ${MAX_WEBHOOK_BODY_BYTES} bytes`,
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return errorResponse(status, 'invalid_request', error.message);
  return errorResponse(500, 'internal_error', 'the webhook call failed; the service log says why');
}

function send(reply: FastifyReply, response: WebhookResponse): FastifyReply {
  return reply
    .code(response.status)
    .headers(response.headers ?? {})
    .type(
      typeof response.body === 'string'
        ? 'text/plain; charset=utf-8'
        : 'application/json; charset=utf-8',
    )
    .send(response.body);
}

/** A caller that already traces (an upstream gateway) passes its context; the webhook continues it. */
function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
