import { Body, Controller, Get, HttpCode, Param, Post, Query, UseFilters } from '@nestjs/common';
import {
  type ArchivedEventDetail,
  ArchivedEventIdParamsSchema,
  type ArchivedEventPage,
  EventListQuerySchema,
  ReplayRequestSchema,
  type ReplayResult,
} from '@flint/contracts';
import { DefinitionRepository } from '../definitions/definition-repository';
import { PublishErrorsFilter } from '../events/publish-errors.filter';
import { RequireRole } from '../auth/route-access';
import { visibleTrigger } from '../runs/visible-definition';
import { EventReplay } from './event-replay';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { EventArchive } from './event-archive';

/**
 * The event archive: events with what each trigger made of them (any key), and replaying them
 * (editor). Owner-scoped.
 */
@Controller('api/events')
@UseFilters(PublishErrorsFilter)
export class EventArchiveController {
  constructor(
    private readonly archive: EventArchive,
    private readonly replays: EventReplay,
    private readonly definitions: DefinitionRepository,
  ) {}

  @Post('replay')
  @RequireRole('editor')
  @HttpCode(200)
  async replay(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
  ): Promise<ReplayResult> {
    const request = parseRequest(ReplayRequestSchema, body, 'replay');
    if (request.trigger !== undefined) {
      await visibleTrigger(this.definitions, principal, request.trigger);
    }
    return this.replays.replay(principal, request);
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<ArchivedEventPage> {
    return this.archive.list(principal, parseRequest(EventListQuerySchema, query, 'query'));
  }

  @Get(':eventId')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
  ): Promise<ArchivedEventDetail> {
    const { eventId } = parseRequest(ArchivedEventIdParamsSchema, params, 'event id');
    return this.archive.get(principal, eventId);
  }
}
