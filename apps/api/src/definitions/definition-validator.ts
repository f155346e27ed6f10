import {
  type Definition,
  type DefinitionReferences,
  type FormattedIssue,
  checkDefinitions,
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

/** A definition's problems are reported by path inside it, under `at` (its place in the request). */
interface Candidate {
  raw: unknown;
  at: string;
}

/**
 * The checks every write of a definition passes, single or batch: `checkDefinitions` from the
 * contracts, the same the CLI runs offline, against the stored sources and the workflows the
 * runners announced.
 */
export class DefinitionValidator {
  constructor(private readonly references: DefinitionReferences) {}

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
    const { valid, problems } = await checkDefinitions(
      candidates.map((c) => c.raw),
      this.references,
    );
    if (problems.length > 0) {
      throw new InvalidDefinitionsError(
        problems.map(({ index, duplicateOf, ...issue }) => ({
          ...issue,
          path: joinPath(candidates[index]?.at ?? '', issue.path),
          ...(duplicateOf === undefined
            ? {}
            : {
                message: `${issue.message} in this batch (first at ${candidates[duplicateOf]?.at})`,
              }),
        })),
      );
    }
    return valid.map(({ definition }) => definition);
  }
}

function joinPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}
