import { Body, Controller, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import {
  BackfillRequestSchema,
  type BackfillResponse,
  DefinitionIdParamsSchema,
  type TriggerNowResponse,
} from '@flint/contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { RequireRole } from '../auth/route-access';
import { PublishErrorsFilter } from '../events/publish-errors.filter';
import { ScheduleControl } from './schedule-control';

/** Firing a cron source by hand: one tick now, or the slots of a past range. */
@Controller('api/sources')
@RequireRole('editor')
@UseFilters(PublishErrorsFilter)
export class SchedulesController {
  constructor(private readonly schedules: ScheduleControl) {}

  @Post(':id/trigger-now')
  @HttpCode(202)
  triggerNow(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
  ): Promise<TriggerNowResponse> {
    const { id } = parseRequest(DefinitionIdParamsSchema, params, 'source id');
    return this.schedules.triggerNow(principal, id);
  }

  @Post(':id/backfill')
  @HttpCode(200)
  backfill(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
    @Body() body: unknown,
  ): Promise<BackfillResponse> {
    const { id } = parseRequest(DefinitionIdParamsSchema, params, 'source id');
    return this.schedules.backfill(
      principal,
      id,
      parseRequest(BackfillRequestSchema, body, 'request'),
    );
  }
}
