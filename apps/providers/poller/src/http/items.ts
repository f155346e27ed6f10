import { JSONPath } from 'jsonpath-plus';

export class ItemsPathError extends Error {
  override readonly name = 'ItemsPathError';
}

/**
 * Checks a JSONPath is well-formed, with the reason when it is not: brackets must balance, and each
 * filter (`[?(...)]`) must compile. jsonpath-plus itself accepts broken paths silently.
 */
export function checkJsonPath(path: string): void {
  const fail = (reason: string) => {
    throw new ItemsPathError(`JSONPath ${JSON.stringify(path)} is invalid: ${reason}`);
  };
  if (!balanced(path)) fail('its brackets or parentheses do not balance');
  for (const segment of JSONPath.toPathArray(path)) {
    if (!segment.startsWith('?(')) continue;
    try {
      // A filter is only compiled when it meets a value, so give it one.
      JSONPath({ path: `$[${segment}]`, json: [{}], eval: 'safe' });
    } catch (err) {
      fail((err as Error).message);
    }
  }
}

function balanced(path: string): boolean {
  const closing: Record<string, string> = { '[': ']', '(': ')' };
  const open: string[] = [];
  let quote: string | undefined;
  for (const char of path) {
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char in closing) {
      open.push(closing[char]);
    } else if ((char === ']' || char === ')') && open.pop() !== char) {
      return false;
    }
  }
  return open.length === 0 && quote === undefined;
}

/**
 * The items a response holds at `itemsPath`: the array it points at (`$.items`), or every value it
 * matches (`$.items[*]`, `$..order`). Nothing when it matches nothing.
 */
export function extractItems(body: unknown, itemsPath: string): unknown[] {
  const matches = queryJson(body, itemsPath);
  if (matches.length === 1 && Array.isArray(matches[0])) return matches[0] as unknown[];
  return matches;
}

/** The first value at `path`, e.g. the next page token. */
export function firstMatch(body: unknown, path: string): unknown {
  return queryJson(body, path)[0];
}

function queryJson(body: unknown, path: string): unknown[] {
  if (body === null || typeof body !== 'object') return [];
  const result: unknown = JSONPath({ path, json: body, wrap: true, eval: 'safe' });
  return Array.isArray(result) ? result : [];
}
