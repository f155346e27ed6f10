import { describeJsonProblem, findJsonProblem } from '@flint/contracts';
import { isJsonContentType } from '@flint/kafka';

export interface ParsedBody {
  /** What the event carries: the raw bytes for JSON and other bodies, an object for forms. */
  data: unknown;
  datacontenttype?: string;
  /** The body as JSON, for schema validation and id lookup; undefined when it is not JSON. */
  json?: unknown;
}

export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
}

/** A well-formed body that Flint cannot carry (nested too deep, a NUL character): 422, not 400. */
export class UnprocessableBodyError extends Error {
  override readonly name = 'UnprocessableBodyError';
}

const FORM = /^application\/x-www-form-urlencoded\b/i;
const TEXT = /^text\//i;

/**
 * Reads a webhook body by its content type. JSON is checked but passed on as the exact bytes
 * received; a form becomes a JSON object (a repeated field an array); anything else is passed on as
 * bytes with its content type. An empty body carries no data.
 */
export function parseBody(rawBody: Buffer, contentType: string | undefined): ParsedBody {
  if (rawBody.length === 0) return { data: undefined };
  const type = contentType?.trim() || 'application/octet-stream';
  if (isJsonContentType(type)) {
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch (err) {
      throw new MalformedBodyError(
        `the body is not valid JSON (content type ${type}): ${(err as Error).message}`,
      );
    }
    refuseUncarriable(json);
    return { data: rawBody, datacontenttype: type, json };
  }
  if (FORM.test(type)) {
    const form = formToObject(new URLSearchParams(rawBody.toString('utf8')));
    refuseUncarriable(form);
    return { data: form, datacontenttype: 'application/json', json: form };
  }
  // Text reaches triggers as a string, and is stored as one.
  if (TEXT.test(type) && rawBody.includes(0)) {
    throw new UnprocessableBodyError('the body contains a NUL character (\\u0000)');
  }
  return { data: rawBody, datacontenttype: type };
}

/** Refuses at the door what every later step would fail on, instead of accepting it with 202. */
export function refuseUncarriable(body: unknown): void {
  const problem = findJsonProblem(body);
  if (problem !== undefined) {
    throw new UnprocessableBodyError(describeJsonProblem(problem, 'the body'));
  }
}

/** Query or form fields as an object; a field given more than once becomes an array. */
export function formToObject(params: URLSearchParams): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of params) {
    const existing = result[name];
    if (existing === undefined) result[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else result[name] = [existing, value];
  }
  return result;
}
