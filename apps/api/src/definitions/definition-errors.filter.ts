import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { ApiErrorBody } from '@flint/contracts';
import type { FastifyReply } from 'fastify';
import { DefinitionExistsError, DefinitionInUseError } from './definition-repository';
import {
  DefinitionNotFoundError,
  DuplicateDefinitionError,
  VersionConflictError,
} from './definition-errors';
import { VersionNotFoundError } from './definition-service';
import { InvalidInputError } from './definition-validator';

type DefinitionError =
  | InvalidInputError
  | DefinitionNotFoundError
  | VersionNotFoundError
  | DefinitionExistsError
  | DefinitionInUseError
  | DuplicateDefinitionError
  | VersionConflictError;

/** Turns the definition layer's errors into the API's JSON error bodies with their status codes. */
@Catch(
  InvalidInputError,
  DefinitionNotFoundError,
  VersionNotFoundError,
  DefinitionExistsError,
  DefinitionInUseError,
  DuplicateDefinitionError,
  VersionConflictError,
)
export class DefinitionErrorsFilter implements ExceptionFilter<DefinitionError> {
  catch(err: DefinitionError, host: ArgumentsHost): void {
    const [status, body] = definitionErrorResponse(err);
    void host.switchToHttp().getResponse<FastifyReply>().status(status).send(body);
  }
}

export function definitionErrorResponse(err: DefinitionError): [HttpStatus, ApiErrorBody] {
  const error = (code: string, extra: Partial<ApiErrorBody['error']> = {}): ApiErrorBody => ({
    error: { code, message: err.message, ...extra },
  });
  if (err instanceof InvalidInputError) {
    return [HttpStatus.BAD_REQUEST, error(err.code, { issues: err.issues })];
  }
  if (err instanceof DuplicateDefinitionError) {
    return [HttpStatus.BAD_REQUEST, error('invalid_definitions')];
  }
  if (err instanceof DefinitionNotFoundError || err instanceof VersionNotFoundError) {
    return [HttpStatus.NOT_FOUND, error('not_found')];
  }
  if (err instanceof DefinitionExistsError) {
    return [HttpStatus.CONFLICT, error('already_exists', { currentVersion: err.version })];
  }
  if (err instanceof DefinitionInUseError) return [HttpStatus.CONFLICT, error('in_use')];
  return [
    HttpStatus.CONFLICT,
    error(
      'version_conflict',
      err.actualVersion === undefined ? {} : { currentVersion: err.actualVersion },
    ),
  ];
}
