import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  DefinitionIdParamsSchema,
  type RunDetail,
  RunIdParamsSchema,
  RunListQuerySchema,
  type RunPage,
  TriggerRunListQuerySchema,
} from '@flint/contracts';
import { DefinitionRepository } from '../definitions/definition-repository';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { RunHistory } from './run-history';
import { visibleTrigger } from './visible-definition';

/** Run history: every run, a trigger's runs, one run in full. Any key; owner-scoped. */
@Controller('api')
export class RunsController {
  constructor(
    private readonly history: RunHistory,
    private readonly definitions: DefinitionRepository,
  ) {}

  @Get('runs')
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<RunPage> {
    return this.history.list(principal, parseRequest(RunListQuerySchema, query, 'query'));
  }

  @Get('runs/:runId')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
  ): Promise<RunDetail> {
    const { runId } = parseRequest(RunIdParamsSchema, params, 'run id');
    return this.history.get(principal, runId);
  }

  @Get('triggers/:id/runs')
  async triggerRuns(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
    @Query() query: Record<string, unknown>,
  ): Promise<RunPage> {
    const { id } = parseRequest(DefinitionIdParamsSchema, params, 'trigger id');
    const filters = parseRequest(TriggerRunListQuerySchema, query, 'query');
    await visibleTrigger(this.definitions, principal, id);
    return this.history.list(principal, { ...filters, trigger: id });
  }
}
