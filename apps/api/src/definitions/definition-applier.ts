import {
  ApplyRequestSchema,
  type ApplyResult,
  type Definition,
  type TriggerDefinition,
  DefinitionSchema,
  definitionKey,
  formatZodIssues,
} from '@flint/contracts';
import type { DefinitionRepository } from '@flint/store';

export interface DefinitionIssue {
  path: string;
  message: string;
}

export class InvalidDefinitionsError extends Error {
  override readonly name = 'InvalidDefinitionsError';
  constructor(readonly issues: DefinitionIssue[]) {
    super(`${issues.length} problem(s) in the definitions; nothing was applied`);
  }
}

/**
 * Validates a batch of source and trigger definitions as a whole and stores it in one transaction:
 * one bad definition and nothing of the batch is applied. Publication to the triggers topic follows
 * through the outbox, so the relay is only nudged here.
 */
/** Problems of a trigger's CEL expressions (condition, keys, input mapping), each with its position. */
export type ExpressionChecker = (trigger: TriggerDefinition) => Promise<DefinitionIssue[]>;

export class DefinitionApplier {
  constructor(
    private readonly repository: DefinitionRepository,
    private readonly onApplied: () => void,
    private readonly checkExpressions: ExpressionChecker,
  ) {}

  async apply(body: unknown): Promise<ApplyResult[]> {
    const request = ApplyRequestSchema.safeParse(body);
    if (!request.success) throw new InvalidDefinitionsError(formatZodIssues(request.error));

    const issues: DefinitionIssue[] = [];
    const definitions: Definition[] = [];
    const seen = new Map<string, number>();
    request.data.definitions.forEach((raw, index) => {
      const parsed = DefinitionSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of formatZodIssues(parsed.error)) {
          issues.push({
            path: joinPath(`definitions[${index}]`, issue.path),
            message: issue.message,
          });
        }
        return;
      }
      const key = definitionKey(parsed.data);
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          path: `definitions[${index}].id`,
          message: `${key} is defined twice in this batch (first at definitions[${first}])`,
        });
        return;
      }
      seen.set(key, index);
      definitions.push(parsed.data);
    });
    for (const [position, definition] of definitions.entries()) {
      if (definition.kind !== 'trigger') continue;
      const index = seen.get(definitionKey(definition)) ?? position;
      for (const issue of await this.checkExpressions(definition)) {
        issues.push({
          path: joinPath(`definitions[${index}]`, issue.path),
          message: issue.message,
        });
      }
    }
    if (issues.length === 0)
      issues.push(...(await this.missingSourceReferences(definitions, seen)));
    if (issues.length > 0) throw new InvalidDefinitionsError(issues);

    const results = await this.repository.apply(definitions);
    if (results.some((r) => r.action !== 'unchanged')) this.onApplied();
    return results;
  }

  private async missingSourceReferences(
    definitions: Definition[],
    batchKeys: Map<string, number>,
  ): Promise<DefinitionIssue[]> {
    const issues: DefinitionIssue[] = [];
    for (const definition of definitions) {
      if (definition.kind !== 'trigger') continue;
      const index = batchKeys.get(definitionKey(definition));
      for (const [position, source] of (definition.sources ?? []).entries()) {
        if (typeof source !== 'string' || batchKeys.has(`source:${source}`)) continue;
        if (await this.repository.get('source', source)) continue;
        issues.push({
          path: `definitions[${index}].sources[${position}]`,
          message: `source "${source}" does not exist; apply it first or in the same batch`,
        });
      }
    }
    return issues;
  }
}

function joinPath(prefix: string, path: string): string {
  if (!path) return prefix;
  return path.startsWith('[') ? `${prefix}${path}` : `${prefix}.${path}`;
}
