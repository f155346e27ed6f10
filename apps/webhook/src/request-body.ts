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

const FORM = /^application\/x-www-form-urlencoded\b/i;

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
    return { data: rawBody, datacontenttype: type, json };
  }
  if (FORM.test(type)) {
    const form = formToObject(new URLSearchParams(rawBody.toString('utf8')));
    return { data: form, datacontenttype: 'application/json', json: form };
  }
  return { data: rawBody, datacontenttype: type };
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
