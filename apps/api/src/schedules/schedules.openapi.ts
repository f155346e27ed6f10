import {
  BackfillRequestSchema,
  BackfillResponseSchema,
  DefinitionIdParamsSchema,
  MAX_BACKFILL_SLOTS,
  TriggerNowResponseSchema,
} from '@flint/contracts';
import { type ApiRoute, errorResponse } from '../openapi/api-route';

const tag = 'Schedules';
const notFound = errorResponse('No such source (or it belongs to another owner).');
const notCron = errorResponse(
  'The source is not a cron source (`not_a_cron_source`) or is disabled (`source_disabled`).',
);
const kafkaUnavailable = {
  ...errorResponse('Kafka did not acknowledge in time: `kafka_unavailable`.'),
  headers: { 'Retry-After': 'Seconds to wait before retrying.' },
};

/** Firing a cron source by hand. An editor key of the source's owner. */
export const scheduleRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/api/sources/:id/trigger-now',
    tag,
    access: 'editor',
    summary: 'Fire a cron source now',
    description:
      'Publishes one tick of the source as the cron service would (provider `cron`, `data` with ' +
      'the schedule, time zone and payload), with an id of its own (`<source id>/manual/<uuid>`) ' +
      'and `data.manual: true`; its scheduled time is now. The schedule goes on as before.',
    params: DefinitionIdParamsSchema,
    responses: {
      202: { description: 'Published.', schema: TriggerNowResponseSchema },
      404: notFound,
      409: notCron,
      503: kafkaUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/api/sources/:id/backfill',
    tag,
    access: 'editor',
    summary: 'Fire the missed slots of a past range',
    description:
      'Every slot of the schedule from `from` to `to` (both included, at most ' +
      `${MAX_BACKFILL_SLOTS}) that the schedule or an earlier backfill did not fire, oldest ` +
      'first: each event has the id the schedule gives its slot (`<source id>/<slot>`), ' +
      '`data.missed` and `data.manual` true, and the slot is recorded in the slot ledger, so ' +
      'backfilling the same range again fires nothing twice.',
    params: DefinitionIdParamsSchema,
    body: BackfillRequestSchema,
    responses: {
      200: { description: 'What was fired and what had been.', schema: BackfillResponseSchema },
      404: notFound,
      409: notCron,
      503: kafkaUnavailable,
    },
  },
];
