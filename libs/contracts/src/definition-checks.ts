import { type Definition, DefinitionSchema, definitionKey } from './definition';
import { type FormattedIssue, formatZodIssues } from './format-issues';

/**
 * Problems of a definition's CEL expressions (a trigger's condition, keys and input mapping, a
 * run-status source's result filter), each with its position.
 */
export type ExpressionChecker = (definition: Definition) => Promise<FormattedIssue[]>;

/** What the definitions being checked may refer to besides each other. */
export interface DefinitionReferences {
  /** Compiles a definition's expressions: the API and the CLI pass the same CEL library. */
  checkExpressions: ExpressionChecker;
  /** Whether a source not among the checked definitions exists (stored, for the API). */
  sourceExists(id: string): Promise<boolean>;
  /** Why a referenced source was found nowhere, with what to do about it. */
  missingSource(id: string): string;
  /**
   * The local workflows the runners can start, or undefined when that cannot be known (no runner
   * has said, or the CLI checks files without a server).
   */
  localWorkflows(): Promise<readonly string[] | undefined>;
}

/** A problem of the checked definition at `index`, its path relative to that definition. */
export interface DefinitionProblem extends FormattedIssue {
  index: number;
  /** For an id defined twice: where it was first, for the message to name in its own terms. */
  duplicateOf?: number;
}

export interface DefinitionCheck {
  /** The definitions that passed the schema, with their position among those checked. */
  valid: Array<{ index: number; definition: Definition }>;
  problems: DefinitionProblem[];
}

/**
 * Every check a definition passes before it is stored, shared by the API (at save time) and the CLI
 * (`flint validate`, `apply --dry-run`), so a file the CLI calls valid is one the API accepts: the
 * shared schema (every problem by path), no id twice, CEL expressions compiled with their error
 * positions, then references: each named source among the definitions or existing, each local
 * target a workflow the runners have.
 */
export async function checkDefinitions(
  raws: readonly unknown[],
  references: DefinitionReferences,
): Promise<DefinitionCheck> {
  const problems: DefinitionProblem[] = [];
  const valid: DefinitionCheck['valid'] = [];
  const seen = new Map<string, number>();
  for (const [index, raw] of raws.entries()) {
    const parsed = DefinitionSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of formatZodIssues(parsed.error)) problems.push({ index, ...issue });
      continue;
    }
    const key = definitionKey(parsed.data);
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({ index, path: 'id', message: `${key} is defined twice`, duplicateOf: first });
      continue;
    }
    seen.set(key, index);
    valid.push({ index, definition: parsed.data });
  }
  for (const { index, definition } of valid) {
    for (const issue of await references.checkExpressions(definition)) {
      problems.push({ index, ...issue });
    }
  }
  // References are only worth checking (and asking a database about) once the rest is right.
  if (problems.length === 0) problems.push(...(await referenceProblems(valid, seen, references)));
  return { valid, problems };
}

async function referenceProblems(
  valid: DefinitionCheck['valid'],
  checked: Map<string, number>,
  references: DefinitionReferences,
): Promise<DefinitionProblem[]> {
  const problems: DefinitionProblem[] = [];
  let workflows: readonly string[] | undefined | null = null;
  for (const { index, definition } of valid) {
    if (definition.kind !== 'trigger') continue;
    for (const [position, source] of (definition.sources ?? []).entries()) {
      if (typeof source !== 'string' || checked.has(`source:${source}`)) continue;
      if (await references.sourceExists(source)) continue;
      problems.push({
        index,
        path: `sources[${position}]`,
        message: references.missingSource(source),
      });
    }
    if (definition.target.type !== 'local') continue;
    workflows = workflows === null ? await references.localWorkflows() : workflows;
    if (workflows === undefined || workflows.includes(definition.target.workflow)) continue;
    problems.push({
      index,
      path: 'target.workflow',
      message:
        `the runner has no local workflow "${definition.target.workflow}"` +
        (workflows.length > 0 ? ` (it has: ${workflows.join(', ')})` : ''),
    });
  }
  return problems;
}
