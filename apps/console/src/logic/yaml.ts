import { isMap, parseDocument, stringify } from 'yaml';

/** The order a person reads a trigger in; keys not listed follow in their own order. */
const KEY_ORDER = [
  'kind',
  'id',
  'owner',
  'enabled',
  'description',
  'version',
  'sources',
  'eventTypes',
  'fromOwners',
  'match',
  'condition',
  'logic',
  'within',
  'correlate',
  'dedupe',
  'batch',
  'debounce',
  'rateLimit',
  'expect',
  'concurrency',
  'priority',
  'cancelOn',
  'target',
  'input',
  'retry',
];

/** A definition as YAML, as `flint get trigger -o yaml` writes it: top-level keys in reading order. */
export function toYaml(definition: Record<string, unknown>): string {
  const ordered: Record<string, unknown> = {};
  for (const key of KEY_ORDER) if (key in definition) ordered[key] = definition[key];
  for (const [key, value] of Object.entries(definition))
    if (!(key in ordered)) ordered[key] = value;
  // No line folding: a long CEL condition stays on one line, as it was written.
  return stringify(ordered, { lineWidth: 0 });
}

/**
 * YAML for comparing two definitions: nested keys sorted, so a diff shows what changed rather than
 * how each side happened to order its keys (the server's stored order, the form's own).
 */
export function toComparableYaml(definition: Record<string, unknown>): string {
  return toYaml(
    Object.fromEntries(Object.entries(definition).map(([key, value]) => [key, sortKeys(value)])),
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}

export type YamlParse =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; message: string; line?: number; column?: number };

/** YAML text to a definition object, or where and why it is not one. */
export function fromYaml(text: string): YamlParse {
  const document = parseDocument(text);
  const error = document.errors[0];
  if (error) {
    const [line, column] = error.linePos?.[0] ? [error.linePos[0].line, error.linePos[0].col] : [];
    return {
      ok: false,
      message: (error.message.split('\n')[0] ?? error.message).replace(
        / at line \d+, column \d+:?$/,
        '',
      ),
      ...(line === undefined ? {} : { line, column }),
    };
  }
  if (!isMap(document.contents)) {
    return { ok: false, message: 'a trigger is a mapping of keys (id, sources, target, …)' };
  }
  return { ok: true, value: document.toJS() as Record<string, unknown> };
}
