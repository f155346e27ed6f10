/** The part of an Ajv error this reads (Ajv's `ErrorObject`, compiled with `verbose`). */
export interface SchemaError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: { description?: unknown };
}

export interface SchemaIssue {
  path: string;
  message: string;
}

/**
 * Ajv's errors for a document as problems a person reads, by path in the form the API uses
 * (`sources[0].config.path`). A union (a source id or an inline source; one of six providers)
 * makes Ajv report every branch's errors; only the branch the document was meant for is kept:
 * the one whose discriminator (`const`) and type fit, with the fewest errors.
 */
export function schemaIssues(errors: readonly SchemaError[]): SchemaIssue[] {
  let remaining = [...errors];
  const narrowed = new Set<string>();
  for (;;) {
    const union = innermostUnion(remaining, narrowed);
    if (union === undefined) break;
    narrowed.add(union);
    remaining = narrowUnion(remaining, union);
  }
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const error of remaining) {
    const issue = readable(error);
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

/**
 * The deepest union not narrowed yet that some branch error sits in, so nested unions are
 * narrowed inside out.
 */
function innermostUnion(
  errors: readonly SchemaError[],
  narrowed: ReadonlySet<string>,
): string | undefined {
  let deepest: string | undefined;
  for (const error of errors) {
    const parts = error.schemaPath.split('/');
    for (let i = parts.length - 2; i >= 0; i--) {
      if ((parts[i] !== 'oneOf' && parts[i] !== 'anyOf') || !/^\d+$/.test(parts[i + 1] ?? '')) {
        continue;
      }
      const union = parts.slice(0, i + 1).join('/');
      if (narrowed.has(union)) continue;
      if (deepest === undefined || union.length > deepest.length) deepest = union;
      break;
    }
  }
  return deepest;
}

function narrowUnion(errors: readonly SchemaError[], union: string): SchemaError[] {
  const branches = new Map<string, SchemaError[]>();
  const outside: SchemaError[] = [];
  for (const error of errors) {
    const prefix = `${union}/`;
    if (error.schemaPath.startsWith(prefix)) {
      const branch = error.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    } else {
      outside.push(error);
    }
  }
  const unionError = outside.find(
    (e) => e.schemaPath === union && (e.keyword === 'oneOf' || e.keyword === 'anyOf'),
  );
  const unionPath = unionError?.instancePath;
  const fits = (branch: SchemaError[]) =>
    !branch.some(
      (e) =>
        (e.keyword === 'const' || e.keyword === 'type' || e.keyword === 'enum') &&
        (e.instancePath === unionPath || isDiscriminator(e, unionPath)),
    );
  const candidates = [...branches.values()];
  const meant = candidates.filter(fits).sort((a, b) => a.length - b.length)[0];
  const rest = outside.filter((e) => e !== unionError);
  if (meant) return [...rest, ...meant];
  // No branch fits: say so once, at the union's place.
  return unionError ? [...rest, { ...unionError, keyword: 'union' }] : rest;
}

/** A `const` on a direct property of the union's value: a discriminator like `provider: cron`. */
function isDiscriminator(error: SchemaError, unionPath: string | undefined): boolean {
  if (unionPath === undefined) return false;
  const rest = error.instancePath.slice(unionPath.length);
  return (
    error.instancePath.startsWith(unionPath) && /^\/[^/]+$/.test(rest) && error.keyword === 'const'
  );
}

function readable(error: SchemaError): SchemaIssue {
  const base = pathOf(error.instancePath);
  const p = error.params;
  switch (error.keyword) {
    case 'required':
      return { path: join(base, String(p.missingProperty)), message: 'required' };
    case 'additionalProperties':
      return {
        path: join(base, String(p.additionalProperty)),
        message: `unknown key "${String(p.additionalProperty)}"`,
      };
    case 'enum':
      return {
        path: base,
        message: `must be one of: ${(p.allowedValues as unknown[]).map(String).join(', ')}`,
      };
    case 'const':
      return { path: base, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case 'pattern': {
      const description = error.parentSchema?.description;
      return {
        path: base,
        message:
          typeof description === 'string'
            ? `must be ${lowerFirst(description)}`
            : 'has the wrong format',
      };
    }
    case 'union':
      return { path: base, message: 'is not valid here' };
    default:
      return { path: base, message: error.message ?? 'is not valid' };
  }
}

/** `/sources/0/config` → `sources[0].config`; odd keys as `["odd key"]`. */
export function pathOf(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => join(path, segment), '');
}

function join(path: string, segment: string): string {
  if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(segment)) return path ? `${path}.${segment}` : segment;
  return `${path}[${JSON.stringify(segment)}]`;
}

function lowerFirst(text: string): string {
  const trimmed = text.replace(/\.$/, '').replace(/^Id: /, '');
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}
