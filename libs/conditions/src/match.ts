import type { Match } from '@flint/contracts';

/** A compiled `match`: true when every entry holds for the event view (see `eventView`). */
export type EventPredicate = (view: Record<string, unknown>) => boolean;

type MatchValue = Match[string];
type Scalar = string | number | boolean | null;
type Test = (value: unknown) => boolean;

interface Operators {
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  prefix?: string;
  exists?: boolean;
}

/**
 * Compiles the `match` shorthand once into a predicate. Semantics, chosen so that no input can make it
 * fail: a missing field and a null field are alike (`null` and `exists: false` match both); a value
 * equals only a value of the same JSON type (`1` is not `"1"`); `gt`/`gte`/`lt`/`lte` compare numbers
 * with numbers and strings with strings (ISO times sort as strings) and are false across types;
 * `prefix` applies to strings.
 */
export function compileMatch(match: Match): EventPredicate {
  const tests = Object.entries(match).map(([path, expected]) => {
    const segments = path.split('.');
    const test = compileValue(expected);
    return (view: Record<string, unknown>) => test(lookup(view, segments));
  });
  return (view) => tests.every((test) => test(view));
}

/** Follows a dotted path through objects and (by numeric segment) arrays. */
export function lookup(root: unknown, segments: readonly string[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

function compileValue(expected: MatchValue): Test {
  if (Array.isArray(expected)) {
    const tests = expected.map(equalTo);
    return (value) => tests.some((test) => test(value));
  }
  if (expected !== null && typeof expected === 'object') return compileOperators(expected);
  return equalTo(expected);
}

function equalTo(expected: Scalar): Test {
  if (expected === null) return (value) => value === null || value === undefined;
  return (value) => value === expected;
}

function compileOperators(operators: Operators): Test {
  const tests: Test[] = [];
  const { gt, gte, lt, lte, prefix, exists } = operators;
  if (gt !== undefined) tests.push(compare(gt, (order) => order > 0));
  if (gte !== undefined) tests.push(compare(gte, (order) => order >= 0));
  if (lt !== undefined) tests.push(compare(lt, (order) => order < 0));
  if (lte !== undefined) tests.push(compare(lte, (order) => order <= 0));
  if (prefix !== undefined) {
    tests.push((value) => typeof value === 'string' && value.startsWith(prefix));
  }
  if (exists !== undefined) {
    tests.push((value) => (value !== undefined && value !== null) === exists);
  }
  return (value) => tests.every((test) => test(value));
}

/** `accept` gets the order of the field's value relative to the bound: negative, zero or positive. */
function compare(bound: number | string, accept: (order: number) => boolean): Test {
  return (value) => {
    if (typeof value !== typeof bound) return false;
    if (typeof value === 'number' && Number.isNaN(value)) return false;
    const order = value === bound ? 0 : (value as number | string) < bound ? -1 : 1;
    return accept(order);
  };
}
