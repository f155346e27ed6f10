import { ApplyRequestSchema, type ApplyResult, formatZodIssues } from '@flint/contracts';
import type { DefinitionRepository } from './definition-repository';
import { type DefinitionValidator, InvalidDefinitionsError } from './definition-validator';

/**
 * Validates a batch of source and trigger definitions as a whole and stores it in one transaction:
 * one bad definition and nothing of the batch is applied. Publication to the triggers topic follows
 * through the outbox, so the relay is only nudged here.
 */
export class DefinitionApplier {
  constructor(
    private readonly repository: DefinitionRepository,
    private readonly validator: DefinitionValidator,
    private readonly onApplied: () => void,
  ) {}

  /** `changedBy`: the API key id recorded in each changed definition's history. */
  async apply(body: unknown, changedBy?: string): Promise<ApplyResult[]> {
    const request = ApplyRequestSchema.safeParse(body);
    if (!request.success) throw new InvalidDefinitionsError(formatZodIssues(request.error));
    const definitions = await this.validator.validateBatch(request.data.definitions);
    const results = await this.repository.apply(definitions, { changedBy });
    if (results.some((r) => r.action !== 'unchanged')) this.onApplied();
    return results;
  }
}
