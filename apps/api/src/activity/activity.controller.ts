import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  DefinitionIdParamsSchema,
  type RecentEvents,
  RecentEventsQuerySchema,
  type TriggerStats,
  TriggerStatsQuerySchema,
} from '@flint/contracts';
import { DefinitionRepository } from '../definitions/definition-repository';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { visibleSource, visibleTrigger } from '../runs/visible-definition';
import { ActivityReader } from './trigger-stats';

/** What the evaluator recorded: per-trigger counts and each source's recent events. Owner-scoped. */
@Controller('api')
export class ActivityController {
  constructor(
    private readonly reader: ActivityReader,
    private readonly definitions: DefinitionRepository,
  ) {}

  @Get('triggers/:id/stats')
  async triggerStats(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
  ): Promise<TriggerStats> {
    const { id } = parseRequest(DefinitionIdParamsSchema, params, 'trigger id');
    const range = parseRequest(TriggerStatsQuerySchema, query, 'query');
    await visibleTrigger(this.definitions, principal, id);
    return this.reader.triggerStats(id, range);
  }

  @Get('sources/:id/events')
  async recentEvents(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
  ): Promise<RecentEvents> {
    const { id } = parseRequest(DefinitionIdParamsSchema, params, 'source id');
    const { limit } = parseRequest(RecentEventsQuerySchema, query, 'query');
    await visibleSource(this.definitions, principal, id);
    return this.reader.recentEvents(id, limit);
  }
}
