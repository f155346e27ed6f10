import { z } from 'zod';
import { unknownKeysMessage } from './strict';

/** Where inside an expression (a CEL condition, key or mapping) a problem is. */
export interface IssuePosition {
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** 0-based, in UTF-16 code units, as editors count. */
  offset: number;
}

/** A validation problem as users see it: where in the document, and what is wrong. */
export interface FormattedIssue {
  /** Like `config.auth.secretRef` or `sources[0].config.schedule`; empty for the document itself. */
  path: string;
  message: string;
  /** For an expression that does not compile: where in the expression, so an editor can mark it. */
  position?: IssuePosition;
}

type Issue = z.core.$ZodIssue;

/**
 * Turns a ZodError into one entry per problem with a readable path. Union errors are narrowed to the
 * branch the input was meant for, and zod's generic English messages are rephrased; messages written
 * in the schemas are kept as they are.
 */
export function formatZodIssues(error: z.ZodError): FormattedIssue[] {
  const seen = new Set<string>();
  return error.issues
    .flatMap((issue) => formatIssue(issue, []))
    .filter((issue) => {
      const key = `${issue.path}\u0000${issue.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) {
      text += text ? `.${segment}` : segment;
    } else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

function formatIssue(issue: Issue, prefix: readonly PropertyKey[]): FormattedIssue[] {
  const path = [...prefix, ...issue.path];
  switch (issue.code) {
    case 'invalid_union': {
      const meant = issue.errors.filter((branch) => !isTypeMismatch(branch));
      if (meant.length === 1) return meant[0].flatMap((inner) => formatIssue(inner, path));
      const message = isZodDefault(issue.message) ? unionMessage(issue.errors) : issue.message;
      return [{ path: formatIssuePath(path), message }];
    }
    case 'unrecognized_keys': {
      const message = isZodDefault(issue.message)
        ? unknownKeysMessage(issue.keys, [])
        : issue.message;
      const where = issue.keys.length === 1 ? [...path, issue.keys[0]] : path;
      return [{ path: formatIssuePath(where), message }];
    }
    case 'invalid_key':
      return issue.issues.map((inner) => ({
        path: formatIssuePath(path),
        message: `invalid key: ${readableMessage(inner)}`,
      }));
    case 'invalid_element':
      return issue.issues.flatMap((inner) => formatIssue(inner, path));
    default:
      return [{ path: formatIssuePath(path), message: readableMessage(issue) }];
  }
}

/** A union branch that failed only because the input is of another type: not the branch meant. */
function isTypeMismatch(branch: readonly Issue[]): boolean {
  if (branch.length !== 1 || branch[0].path.length > 0) return false;
  const only = branch[0];
  if (only.code === 'invalid_type' || only.code === 'invalid_value') return true;
  return (
    only.code === 'invalid_union' && only.errors.length > 0 && only.errors.every(isTypeMismatch)
  );
}

function unionMessage(branches: readonly Issue[][]): string {
  const expected = branches.flatMap((branch) =>
    branch.length === 1 && branch[0].code === 'invalid_type' ? [typeName(branch[0].expected)] : [],
  );
  if (expected.length !== branches.length || expected.length === 0) return 'is not valid here';
  return `must be ${joinAlternatives([...new Set(expected)])}`;
}

function joinAlternatives(items: string[]): string {
  if (items.length < 2) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** zod's own English messages start with a capital letter; the schemas' messages do not. */
function isZodDefault(message: string): boolean {
  return /^(Invalid|Too (small|big)|Unrecognized key)/.test(message);
}

function readableMessage(issue: Issue): string {
  if (!isZodDefault(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      const received = /received (\w+)/.exec(issue.message)?.[1];
      if (received === 'undefined') return 'required';
      return `must be ${typeName(issue.expected)}${received ? `, not ${typeName(received)}` : ''}`;
    }
    case 'too_small':
      return sizeMessage(issue.origin, Number(issue.minimum), issue.inclusive ?? true, 'least');
    case 'too_big':
      return sizeMessage(issue.origin, Number(issue.maximum), issue.inclusive ?? true, 'most');
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      if (issue.format === 'regex' && issue.pattern) return `must match ${issue.pattern}`;
      if (issue.format === 'url') return 'must be a URL';
      if (issue.format === 'datetime')
        return 'must be an ISO 8601 date-time like "2024-05-01T12:00:00Z"';
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return 'is not valid';
  }
}

function sizeMessage(
  origin: string,
  limit: number,
  inclusive: boolean,
  bound: 'least' | 'most',
): string {
  if (origin === 'string') {
    if (bound === 'least' && limit <= 1) return 'must not be empty';
    return `must be at ${bound} ${limit} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    if (bound === 'least' && limit <= 1) return 'must not be empty';
    return `must have at ${bound} ${limit} items`;
  }
  if (inclusive) return `must be at ${bound} ${limit}`;
  return bound === 'least' ? `must be greater than ${limit}` : `must be less than ${limit}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
  nan: 'not a number',
};

function typeName(type: string): string {
  return TYPE_NAMES[type] ?? type;
}
