import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { MAX_WEBHOOK_BODY_BYTES } from '@flint/contracts';
import { contextFromTraceparent, inSpan } from '@flint/telemetry';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { WebhookEndpoint } from './webhook-endpoint';
import { type WebhookResponse, errorResponse } from './webhook-response';
import type { WebhookRouter } from './webhook-router';

export interface WebhookHttpOptions {
  router: WebhookRouter;
  /** False until the sources defined at startup are served: calls then get 503, not 404. */
  isReady: () => boolean;
}

const PREFIX = '/hooks/';
const STARTING_RETRY_AFTER_SECONDS = 5;

/**
 * Serves `/hooks/*` on the service's HTTP server ahead of Fastify, whose request listener keeps
 * every other path (health, metrics). A webhook call is the hot path of the whole platform: Fastify's
 * routing, hooks and content-type parsing and Nest's middleware runner (which runs on every request
 * to decide whether a middleware is excluded) cost the webhook service more CPU per call than
 * producing the event does (issue 20's profile), and a call needs none of them.
 */
export function serveWebhooks(server: Server, options: WebhookHttpOptions): void {
  const others = server.listeners('request') as ((...args: unknown[]) => void)[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (request.url?.startsWith(PREFIX)) handleCall(request, response, options);
    else for (const listener of others) listener.call(server, request, response);
  });
}

/**
 * One call: checks that need no body before it is read (every body is kept as the raw bytes:
 * signatures are computed over exactly those), then the source's endpoint; every error is JSON.
 */
function handleCall(
  request: IncomingMessage,
  response: ServerResponse,
  options: WebhookHttpOptions,
): void {
  const url = request.url as string;
  const mark = url.indexOf('?');
  const query = mark === -1 ? '' : url.slice(mark + 1);
  const path = hookPath(mark === -1 ? url : url.slice(0, mark));
  if (path === undefined) {
    return send(response, errorResponse(400, 'invalid_request', `'${url}' is not a valid url`));
  }
  const endpoint = options.router.find(path);
  const refusal = admit(request, path, endpoint, options);
  if (refusal !== undefined || endpoint === undefined) {
    return send(response, refusal ?? notFound(path));
  }
  readBody(request, Math.min(endpoint.bodyLimitBytes, MAX_WEBHOOK_BODY_BYTES), (body) => {
    if (body === undefined) return send(response, endpoint.tooLarge());
    answer(request, options.router, path, query, body).then(
      (answered) => send(response, answered),
      () =>
        send(
          response,
          errorResponse(500, 'internal_error', 'the webhook call failed; the service log says why'),
        ),
    );
  });
}

function answer(
  request: IncomingMessage,
  router: WebhookRouter,
  path: string,
  query: string,
  rawBody: Buffer,
): Promise<WebhookResponse> {
  const method = request.method as string;
  return inSpan(
    'flint-webhook',
    `${method} /hooks/*`,
    {
      kind: SpanKind.SERVER,
      parent: contextFromTraceparent(header(request, 'traceparent')),
      attributes: {
        'http.request.method': method,
        'http.route': '/hooks/*',
        'url.path': PREFIX + path,
      },
    },
    async (span) => {
      // The source may have stopped, or changed, while the body arrived.
      const endpoint = router.find(path);
      const answered =
        endpoint === undefined
          ? notFound(path)
          : await endpoint.handle({
              method,
              headers: request.headers,
              rawBody,
              query,
              receivedAt: new Date(),
            });
      span.setAttribute('http.response.status_code', answered.status);
      if (answered.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      return answered;
    },
  );
}

/** 503 while starting, 404, 405, 429 or 413: answered before the body is read. */
function admit(
  request: IncomingMessage,
  path: string,
  endpoint: WebhookEndpoint | undefined,
  options: WebhookHttpOptions,
): WebhookResponse | undefined {
  if (!options.isReady()) {
    return errorResponse(503, 'starting', 'the webhook service is starting; retry shortly', {
      headers: { 'retry-after': String(STARTING_RETRY_AFTER_SECONDS) },
    });
  }
  if (endpoint === undefined) return notFound(path);
  const declared = request.headers['content-length'];
  const length = declared === undefined ? undefined : Number(declared);
  return endpoint.admit(request.method as string, Number.isFinite(length) ? length : undefined);
}

/**
 * The whole body, or undefined as soon as it grows past `limit` bytes (a body sent in chunks, or one
 * longer than it declared).
 */
function readBody(
  request: IncomingMessage,
  limit: number,
  done: (body: Buffer | undefined) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  let finished = false;
  const finish = (body: Buffer | undefined) => {
    if (finished) return;
    finished = true;
    request.removeListener('data', onData);
    done(body);
  };
  const onData = (chunk: Buffer) => {
    length += chunk.length;
    if (length > limit) finish(undefined);
    else chunks.push(chunk);
  };
  request.on('data', onData);
  // A sender that goes away mid-body never gets here, so nothing is published for it.
  request.once('end', () => finish(Buffer.concat(chunks, length)));
}

function notFound(path: string): WebhookResponse {
  return errorResponse(404, 'not_found', `no enabled webhook source has the path "${path}"`);
}

/**
 * The part after `/hooks/`, percent-decoded, without a trailing slash; undefined when its
 * percent-encoding is broken.
 */
function hookPath(pathname: string): string | undefined {
  let path = pathname.slice(PREFIX.length);
  if (path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
  }
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

function send(response: ServerResponse, answered: WebhookResponse): void {
  const text = typeof answered.body === 'string';
  const body = text ? (answered.body as string) : JSON.stringify(answered.body);
  response.writeHead(answered.status, {
    ...answered.headers,
    'content-type': text ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** A caller that already traces (an upstream gateway) passes its context; the webhook continues it. */
function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
