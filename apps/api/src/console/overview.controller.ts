import { Controller, Get, Query } from '@nestjs/common';
import {
  type Overview,
  OverviewQuerySchema,
  type SourceActivityList,
  SourceActivityQuerySchema,
  type TriggerActivityList,
  TriggerActivityQuerySchema,
} from '@flint/contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { OverviewReader } from './overview';

/** Aggregates for the console: the overview, and per-row numbers of the source and trigger lists. */
@Controller('api')
export class OverviewController {
  constructor(private readonly reader: OverviewReader) {}

  @Get('overview')
  overview(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<Overview> {
    return this.reader.overview(principal, parseRequest(OverviewQuerySchema, query, 'query'));
  }

  @Get('activity/triggers')
  triggers(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<TriggerActivityList> {
    const { ids } = parseRequest(TriggerActivityQuerySchema, query, 'query');
    return this.reader.triggers(principal, ids);
  }

  @Get('activity/sources')
  sources(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<SourceActivityList> {
    const { ids } = parseRequest(SourceActivityQuerySchema, query, 'query');
    return this.reader.sources(principal, ids);
  }
}
