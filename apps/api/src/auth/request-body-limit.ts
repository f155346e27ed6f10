import type { ApiErrorBody } from '@flint/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isApiPath } from './api-paths';

/**
 * Gives every `/api/*` route the body limit, and answers what Fastify refuses before Nest sees the
 * request (a body over the limit, a body that is not JSON) in the API's error format. Must run before
 * Nest registers its routes, i.e. while providers are created. The messages never quote the body: it
 * may hold a secret value.
 */
export function limitApiRequestBodies(fastify: FastifyInstance, limitBytes: number): void {
  fastify.addHook('onRoute', (route) => {
    if (!isApiPath(route.url)) return;
    route.bodyLimit = limitBytes;
    route.errorHandler = (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      const body = clientErrorBody(error, limitBytes);
      if (!body) throw error;
      return reply.code(error.statusCode as number).send(body);
    };
  });
}

function clientErrorBody(error: FastifyError, limitBytes: number): ApiErrorBody | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      error: {
        code: 'payload_too_large',
        message: `the request body is larger than the limit of ${limitBytes} bytes (FLINT_API_BODY_LIMIT_BYTES)`,
      },
    };
  }
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return { error: { code: 'invalid_json', message: 'the request body is not valid JSON' } };
  }
  const status = error.statusCode;
  if (error.code?.startsWith('FST_') && status !== undefined && status >= 400 && status < 500) {
    return { error: { code: 'bad_request', message: error.message } };
  }
  return undefined;
}
