import { type ApiErrorBody, describeJsonProblem, findJsonProblem } from '@flint/contracts';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  preValidationHookHandler,
} from 'fastify';
import { isApiPath } from './api-paths';

/** Longer than any id, secret name or run id the API hands out. */
const MAX_PATH_PARAM_LENGTH = 512;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused here
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Gives every `/api/*` route the body limit, and answers what Fastify refuses before Nest sees the
 * request (a body over the limit, a body that is not JSON) in the API's error format. Before any
 * handler runs, it also refuses what no handler could store or walk: a body nested deeper than
 * `MAX_JSON_DEPTH` or holding a NUL (422), a path parameter with a control character or of absurd
 * length (400) — each route still checks its parameters' own shape. Must run before Nest registers
 * its routes, i.e. while providers are created. The messages never quote the body: it may hold a
 * secret value.
 */
export function limitApiRequestBodies(fastify: FastifyInstance, limitBytes: number): void {
  fastify.addHook('onRoute', (route) => {
    if (!isApiPath(route.url)) return;
    route.bodyLimit = limitBytes;
    route.preValidation = [refuseUnprocessableInput, ...hooks(route.preValidation)];
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

const refuseUnprocessableInput: preValidationHookHandler = (request, reply, done) => {
  const params = (request.params ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'string') continue;
    if (CONTROL_CHARACTER.test(value) || value.length > MAX_PATH_PARAM_LENGTH) {
      const body: ApiErrorBody = {
        error: {
          code: 'invalid_path',
          message: `the path parameter ${name} must be at most ${MAX_PATH_PARAM_LENGTH} characters without control characters`,
        },
      };
      void reply.code(400).send(body);
      return;
    }
  }
  const problem = findJsonProblem(request.body);
  if (problem !== undefined) {
    const body: ApiErrorBody = {
      error: {
        code: 'unprocessable_body',
        message: describeJsonProblem(problem, 'the request body'),
      },
    };
    void reply.code(422).send(body);
    return;
  }
  done();
};

function hooks<T>(existing: T | T[] | undefined): T[] {
  if (existing === undefined) return [];
  return Array.isArray(existing) ? existing : [existing];
}
