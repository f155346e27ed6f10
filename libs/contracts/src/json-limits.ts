import { formatIssuePath } from './format-issues';

/**
 * How deep JSON may nest anywhere Flint accepts it: webhook bodies, API bodies, events read from
 * Kafka, run inputs. Real payloads (GitHub, Stripe, Kubernetes objects) stay below 20 levels; the
 * bound is what keeps every recursive walk further down (CEL values, JSON.stringify, zod, the
 * database driver) far from the stack limit, which a 6 KB body of brackets would otherwise reach.
 */
export const MAX_JSON_DEPTH = 100;

/** Something in a JSON value that Flint cannot carry, and where it is. */
export interface JsonProblem {
  /** `data.items[3].name`-style path; empty for the value itself. */
  path: string;
  message: string;
}

interface Pending {
  value: unknown;
  depth: number;
  parent: Pending | undefined;
  key: string | number | undefined;
}

/**
 * The first thing in `value` that Flint refuses: nesting deeper than `maxDepth` (a scalar at the top
 * is depth 0, `{"a":1}` is depth 1), or a NUL character or a lone UTF-16 surrogate (a `\ud800` escape
 * with no partner, which JSON.parse lets through) in a string or a key — PostgreSQL's text and jsonb
 * can hold neither, so it would fail every statement that stores the event or the run. Walks with its
 * own stack, so no input can overflow the call stack.
 */
export function findJsonProblem(
  value: unknown,
  maxDepth: number = MAX_JSON_DEPTH,
): JsonProblem | undefined {
  const stack: Pending[] = [{ value, depth: 0, parent: undefined, key: undefined }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const current = item.value;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return problem(item, 'contains a NUL character (\\u0000)');
      if (!current.isWellFormed()) return problem(item, LONE_SURROGATE);
      continue;
    }
    if (typeof current !== 'object' || current === null || ArrayBuffer.isView(current)) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) {
      return problem(item, `nests deeper than ${maxDepth} levels`);
    }
    if (Array.isArray(current)) {
      for (let index = current.length - 1; index >= 0; index--) {
        stack.push({ value: current[index], depth, parent: item, key: index });
      }
      continue;
    }
    for (const key of Object.keys(current)) {
      if (key.includes('\u0000')) {
        return problem(
          { value: undefined, depth, parent: item, key },
          'has a key with a NUL character (\\u0000)',
        );
      }
      if (!key.isWellFormed()) {
        return problem(
          { value: undefined, depth, parent: item, key },
          `has a key that ${LONE_SURROGATE}`,
        );
      }
      stack.push({ value: (current as Record<string, unknown>)[key], depth, parent: item, key });
    }
  }
  return undefined;
}

/** `findJsonProblem` as one sentence naming the place, for error messages ("data.a: nests …"). */
export function describeJsonProblem(problem: JsonProblem, what: string): string {
  return `${problem.path === '' ? what : `${what} at ${problem.path}`} ${problem.message}`;
}

const LONE_SURROGATE =
  'contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff), which is not Unicode text';

function problem(item: Pending, message: string): JsonProblem {
  const path: (string | number)[] = [];
  for (let at: Pending | undefined = item; at?.key !== undefined; at = at.parent) {
    path.push(at.key);
  }
  return { path: formatIssuePath(path.reverse()), message };
}
