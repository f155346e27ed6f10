import { type FormattedIssue, formatIssuePath } from '@flint/contracts';
import { InvalidSourceError } from '@flint/provider-sdk';
import Ajv, { type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** Checks a body against a source's JSON Schema; returns the problems, empty when it matches. */
export type BodyValidator = (body: unknown) => FormattedIssue[];

/**
 * Compiles a source's JSON Schema with the draft its `$schema` names (draft-07 when none), so a
 * schema that does not compile is reported when the source is defined, not on the first call.
 */
export function compileBodySchema(schema: Record<string, unknown>): BodyValidator {
  const ajv = ajvFor(schema.$schema);
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema as AnySchema);
  } catch (err) {
    throw new InvalidSourceError(`config.jsonSchema does not compile: ${(err as Error).message}`);
  }
  return (body) => (validate(body) ? [] : (validate.errors ?? []).map(toIssue));
}

function ajvFor(draft: unknown): Ajv {
  const options = { allErrors: true, strict: false };
  const ajv =
    typeof draft === 'string' && draft.includes('2020-12')
      ? new Ajv2020(options)
      : typeof draft === 'string' && draft.includes('2019-09')
        ? new Ajv2019(options)
        : new Ajv(options);
  addFormats(ajv);
  return ajv;
}

function toIssue(error: ErrorObject): FormattedIssue {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  if (error.keyword === 'required' || error.keyword === 'additionalProperties') {
    const missing = error.params as { missingProperty?: string; additionalProperty?: string };
    const name = missing.missingProperty ?? missing.additionalProperty;
    if (name !== undefined) segments.push(name);
  }
  const message =
    error.keyword === 'required'
      ? 'is required'
      : error.keyword === 'additionalProperties'
        ? 'is not allowed'
        : (error.message ?? 'does not match the schema');
  return { path: formatIssuePath(segments), message };
}
