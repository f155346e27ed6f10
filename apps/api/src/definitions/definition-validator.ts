import {
  type Definition,
  DefinitionSchema,
  type FormattedIssue,
  definitionKey,
  formatZodIssues,
} from '@flint/contracts';

export type DefinitionIssue = FormattedIssue;

/** The request's input is wrong; `issues` say where and why. Nothing was stored. */
export class InvalidInputError extends Error {
  override readonly name: string = 'InvalidInputError';
  constructor(
    /** `invalid_definitions`, `invalid_query`, `invalid_header`… */
    readonly code: string,
    message: string,
    readonly issues: DefinitionIssue[],
  ) {
    super(message);
  }
}

export class InvalidDefinitionsError extends InvalidInputError {
  override readonly name = 'InvalidDefinitionsError';
  constructor(issues: DefinitionIssue[]) {
    super(
      'invalid_definitions',
      `${issues.length} problem(s) in the definitions; nothing was applied`,
      issues,
    );
  }
}

/**
 * Problems of a definition's CEL expressions (a trigger's condition, keys and input mapping, a
 * run-status source's result filter), each with its position.
 */
export type ExpressionChecker = (definition: Definition) => Promise<DefinitionIssue[]>;

/** Whether a source with this id is stored (and not deleted). */
export type SourceLookup = (id: string) => Promise<boolean>;

interface Candidate {
  raw: unknown;
  /** Where this definition sits in the request, prepended to each of its problems' paths. */
  at: string;
}

/**
 * The checks every write of a definition passes, single or batch: the shared zod schema (every
 * problem by path), CEL expressions compiled with the error position, and source references that
 * must name a stored source or one in the same batch.
 */
export class DefinitionValidator {
  constructor(
    private readonly checkExpressions: ExpressionChecker,
    private readonly sourceExists: SourceLookup,
  ) {}

  /** One definition; problems are reported relative to it (`condition`, `sources[0]`). */
  async validateOne(raw: unknown): Promise<Definition> {
    const [definition] = await this.validate([{ raw, at: '' }]);
    return definition as Definition;
  }

  /** A batch; problems are reported as `definitions[<index>].<path>`. */
  async validateBatch(raws: readonly unknown[]): Promise<Definition[]> {
    return this.validate(raws.map((raw, index) => ({ raw, at: `definitions[${index}]` })));
  }

  private async validate(candidates: Candidate[]): Promise<Definition[]> {
    const issues: DefinitionIssue[] = [];
    const valid: Array<{ definition: Definition; at: string }> = [];
    const seen = new Map<string, string>();
    for (const { raw, at } of candidates) {
      const parsed = DefinitionSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of formatZodIssues(parsed.error)) {
          issues.push({ path: joinPath(at, issue.path), message: issue.message });
        }
        continue;
      }
      const key = definitionKey(parsed.data);
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          path: joinPath(at, 'id'),
          message: `${key} is defined twice in this batch (first at ${first})`,
        });
        continue;
      }
      seen.set(key, at);
      valid.push({ definition: parsed.data, at });
    }
    for (const { definition, at } of valid) {
      for (const issue of await this.checkExpressions(definition)) {
        issues.push({ ...issue, path: joinPath(at, issue.path) });
      }
    }
    if (issues.length === 0) issues.push(...(await this.missingSources(valid, seen)));
    if (issues.length > 0) throw new InvalidDefinitionsError(issues);
    return valid.map(({ definition }) => definition);
  }

  private async missingSources(
    valid: Array<{ definition: Definition; at: string }>,
    inRequest: Map<string, string>,
  ): Promise<DefinitionIssue[]> {
    const issues: DefinitionIssue[] = [];
    for (const { definition, at } of valid) {
      if (definition.kind !== 'trigger') continue;
      for (const [position, source] of (definition.sources ?? []).entries()) {
        if (typeof source !== 'string' || inRequest.has(`source:${source}`)) continue;
        if (await this.sourceExists(source)) continue;
        issues.push({
          path: joinPath(at, `sources[${position}]`),
          message: `source "${source}" does not exist; apply it first or in the same batch`,
        });
      }
    }
    return issues;
  }
}

function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}
