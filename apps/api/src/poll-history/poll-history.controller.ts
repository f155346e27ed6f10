import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import {
  DefinitionIdParamsSchema,
  type PollHistory,
  PollHistoryQuerySchema,
} from '@flint/contracts';
import { PollHistoryRepository } from '@flint/store';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { DefinitionRepository } from '../definitions/definition-repository';
import { visibleSource } from '../runs/visible-definition';

/** `GET /api/sources/{id}/history`: what the last polls of a poll function source came to. */
@Controller('api/sources')
export class PollHistoryController {
  constructor(
    @Inject(PollHistoryRepository) private readonly history: PollHistoryRepository,
    private readonly definitions: DefinitionRepository,
  ) {}

  @Get(':id/history')
  async pollHistory(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
  ): Promise<PollHistory> {
    const { id } = parseRequest(DefinitionIdParamsSchema, params, 'source id');
    const { limit } = parseRequest(PollHistoryQuerySchema, query, 'query');
    const source = await visibleSource(this.definitions, principal, id);
    if (source.provider !== 'function') {
      throw new NotFoundException({
        error: {
          code: 'not_found',
          message: `source ${id} is a ${source.provider} source; only poll function sources (provider: function) keep a poll history`,
        },
      });
    }
    const polls = await this.history.list(id, limit);
    return {
      sourceId: id,
      items: polls.map((poll) => ({
        polledAt: poll.polledAt.toISOString(),
        durationMs: poll.durationMs,
        outcome: poll.outcome,
        fired: poll.fired,
        skipped: poll.skipped,
        ...(poll.error ? { error: poll.error } : {}),
      })),
    };
  }
}
