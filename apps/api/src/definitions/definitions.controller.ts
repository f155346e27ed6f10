import { Body, Controller, Get, Put, Query, UseFilters } from '@nestjs/common';
import {
  type ApplyResponse,
  DefinitionKindQuerySchema,
  type StoredDefinition,
  formatZodIssues,
} from '@flint/contracts';
import { DefinitionRepository } from './definition-repository';
import { assertCanApplyBatch } from '../auth/batch-access';
import { CurrentPrincipal, type Principal, ownerScope } from '../auth/principal';
import { DefinitionApplier } from './definition-applier';
import { DefinitionErrorsFilter } from './definition-errors.filter';
import { InvalidInputError } from './definition-validator';

/** Batch routes: what `flint apply` uses, one transaction for the whole batch. */
@Controller('api/definitions')
@UseFilters(DefinitionErrorsFilter)
export class DefinitionsController {
  constructor(
    private readonly applier: DefinitionApplier,
    private readonly repository: DefinitionRepository,
  ) {}

  @Put()
  async apply(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
  ): Promise<ApplyResponse> {
    await assertCanApplyBatch(principal, body, (kind, id) => this.repository.get(kind, id));
    return { results: await this.applier.apply(body, principal.keyId) };
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<{ items: StoredDefinition[] }> {
    const parsed = DefinitionKindQuerySchema.safeParse(query);
    if (!parsed.success) {
      throw new InvalidInputError(
        'invalid_query',
        'kind must be "source" or "trigger"',
        formatZodIssues(parsed.error),
      );
    }
    return {
      items: await this.repository.list({ kind: parsed.data.kind, owner: ownerScope(principal) }),
    };
  }
}
