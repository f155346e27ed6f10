import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import {
  CALLBACK_TOKEN_HEADER,
  type CancelRunResponse,
  CompleteRunHeadersSchema,
  CompleteRunRequestSchema,
  type CompleteRunResponse,
  DefinitionIdParamsSchema,
  RerunRequestSchema,
  type RerunResponse,
  type RunDetail,
  RunIdParamsSchema,
  RunListQuerySchema,
  type RunPage,
  TriggerRunListQuerySchema,
} from '@flint/contracts';
import { DefinitionRepository } from '../definitions/definition-repository';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { Public, RequireRole } from '../auth/route-access';
import { PublishErrorsFilter } from '../events/publish-errors.filter';
import { RunControl } from './run-control';
import { RunHistory } from './run-history';
import { visibleTrigger } from './visible-definition';

/**
 * Run history (every run, a trigger's runs, one run in full: any key, owner-scoped) and run control
 * (cancel, re-run: an editor key of the run's owner).
 */
@Controller('api')
@UseFilters(PublishErrorsFilter)
export class RunsController {
  constructor(
    private readonly history: RunHistory,
    private readonly control: RunControl,
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

  @Post('runs/:runId/cancel')
  @RequireRole('editor')
  @HttpCode(202)
  cancel(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
  ): Promise<CancelRunResponse> {
    const { runId } = parseRequest(RunIdParamsSchema, params, 'run id');
    return this.control.cancel(principal, runId);
  }

  @Post('runs/:runId/rerun')
  @RequireRole('editor')
  @HttpCode(202)
  rerun(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
    @Body() body: unknown,
  ): Promise<RerunResponse> {
    const { runId } = parseRequest(RunIdParamsSchema, params, 'run id');
    return this.control.rerun(
      principal,
      runId,
      parseRequest(RerunRequestSchema, body ?? {}, 'request'),
    );
  }

  /** No API key: the run's single-use token, which its start carried, is the credential. */
  @Post('runs/:runId/complete')
  @Public()
  @HttpCode(200)
  complete(
    @Param() params: Record<string, string>,
    @Headers() headers: Record<string, string>,
    @Body() body: unknown,
  ): Promise<CompleteRunResponse> {
    const { runId } = parseRequest(RunIdParamsSchema, params, 'run id');
    const token = parseRequest(CompleteRunHeadersSchema, headers, 'headers')[CALLBACK_TOKEN_HEADER];
    return this.control.complete(
      runId,
      token,
      parseRequest(CompleteRunRequestSchema, body ?? {}, 'request'),
    );
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
