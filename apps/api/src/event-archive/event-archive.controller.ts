import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  type ArchivedEventDetail,
  ArchivedEventIdParamsSchema,
  type ArchivedEventPage,
  EventListQuerySchema,
} from '@flint/contracts';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { EventArchive } from './event-archive';

/** The event archive: events with what each trigger made of them. Any key; owner-scoped. */
@Controller('api/events')
export class EventArchiveController {
  constructor(private readonly archive: EventArchive) {}

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
