/** One field that differs between the stored definition and the one about to be applied. */
export interface FieldChange {
  /** Like `condition`, `target.url` or `sources[1]`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Fields the server assigns; they are not part of what a file changes. */
const SERVER_FIELDS = new Set(['version', 'updatedAt']);

/**
 * What applying `next` would change in `current`, field by field, ordered by path. Both are compared
 * as JSON, so key order and `undefined` properties do not count as changes, just as on the server.
 */
export function definitionChanges(current: object, next: object): FieldChange[] {
  const before = leaves(withoutServerFields(current));
  const after = leaves(withoutServerFields(next));
  const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const was = before.get(path);
    const becomes = after.get(path);
    if (was === becomes) continue;
    changes.push({
      path,
      ...(was === undefined ? {} : { before: JSON.parse(was) as unknown }),
      ...(becomes === undefined ? {} : { after: JSON.parse(becomes) as unknown }),
    });
  }
  return changes;
}

/** `+ path: value` (added), `- path: value` (removed) or `path: old → new`. */
export function formatChange(change: FieldChange): string {
  if (!('before' in change)) return `+ ${change.path}: ${JSON.stringify(change.after)}`;
  if (!('after' in change)) return `- ${change.path}: ${JSON.stringify(change.before)}`;
  return `${change.path}: ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`;
}

function withoutServerFields(definition: object): unknown {
  const copy = JSON.parse(JSON.stringify(definition)) as Record<string, unknown>;
  for (const field of SERVER_FIELDS) delete copy[field];
  return copy;
}

/** Path → JSON text of every scalar, empty object and empty list in the value. */
function leaves(value: unknown, path = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, index) => leaves(item, `${path}[${index}]`, into));
  } else if (value !== null && typeof value === 'object' && Object.keys(value).length > 0) {
    for (const [key, inner] of Object.entries(value)) {
      leaves(inner, path ? `${path}.${key}` : key, into);
    }
  } else {
    into.set(path, JSON.stringify(value));
  }
  return into;
}
