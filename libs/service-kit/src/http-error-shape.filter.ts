import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

const CODES: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/**
 * Every HTTP error of a service in Flint's shape, `{ error: { code, message } }`: an exception that
 * already carries one passes unchanged; Nest's own (a route that does not exist, `Cannot PUT /x`)
 * gets its message wrapped, so clients parse one shape whatever went wrong.
 */
@Catch(HttpException)
export class HttpErrorShapeFilter implements ExceptionFilter<HttpException> {
  catch(exception: HttpException, host: ArgumentsHost): void {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const shaped =
      typeof response === 'object' &&
      response !== null &&
      typeof (response as { error?: unknown }).error === 'object';
    const body = shaped
      ? response
      : {
          error: {
            code: CODES[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request'),
            message: messageOf(response, exception),
          },
        };
    void host.switchToHttp().getResponse<FastifyReply>().status(status).send(body);
  }
}

function messageOf(response: string | object, exception: HttpException): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.join('; ');
  return exception.message;
}
