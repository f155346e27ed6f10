import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import {
  type EmitEventRequest,
  EmitEventRequestSchema,
  type EmitEventResponse,
} from '@flint/contracts';
import { newTraceparent } from '@flint/provider-sdk';
import { inSpan, traceparentOf } from '@flint/telemetry';
import { DEFAULT_OWNER } from '@flint/contracts';
import { messageAttributes, sendSpan } from '@flint/kafka';
import { assertCanChange, CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { RequireRole } from '../auth/route-access';
import { customEvent } from './custom-event';
import { KafkaPublisher } from './kafka-publisher';
import { PublishErrorsFilter } from './publish-errors.filter';

/** `POST /api/events`: custom events, answered 202 only once Kafka has them. */
@Controller('api/events')
@UseFilters(PublishErrorsFilter)
export class EventsController {
  constructor(private readonly publisher: KafkaPublisher) {}

  @Post()
  @RequireRole('editor')
  @HttpCode(202)
  async emit(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
  ): Promise<EmitEventResponse> {
    const request: EmitEventRequest = parseRequest(EmitEventRequestSchema, body, 'event');
    // Every event has an owner: only that owner's triggers (and those sharing it) see it.
    const owner = request.owner ?? principal.owner ?? DEFAULT_OWNER;
    assertCanChange(principal, owner, 'the event');
    // The event's trace starts here, so its run can be followed back to this call.
    const span = sendSpan(this.publisher.eventsTopic, [{}]);
    return inSpan(
      'flint-api',
      span.name,
      {
        ...span.options,
        attributes: { ...span.options.attributes, 'cloudevents.event_type': request.type },
      },
      async (active) => {
        const event = customEvent(request, {
          owner,
          acceptedAt: new Date(),
          traceparent: traceparentOf(active) ?? newTraceparent(),
        });
        active.setAttributes(messageAttributes({ key: event.flintsourceid, id: event.id }));
        await this.publisher.publishEvent(event);
        return { eventId: event.id };
      },
    );
  }
}
