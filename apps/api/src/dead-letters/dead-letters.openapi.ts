import {
  DeadLetterDetailSchema,
  DeadLetterIdParamsSchema,
  DeadLetterListQuerySchema,
  DeadLetterPageSchema,
  DeadLetterPurgeResultSchema,
  DeadLetterResendRequestSchema,
  DeadLetterResendResultSchema,
  DeadLetterSelectionSchema,
} from '@flint/contracts';
import { type ApiRoute, components, errorResponse } from '../openapi/api-route';

const { DeadLetterPage, DeadLetterDetail, DeadLetterResendResult, DeadLetterPurgeResult } =
  components({
    DeadLetterPage: DeadLetterPageSchema,
    DeadLetterDetail: DeadLetterDetailSchema,
    DeadLetterResendResult: DeadLetterResendResultSchema,
    DeadLetterPurgeResult: DeadLetterPurgeResultSchema,
  });

const tag = 'Dead letters';
const notFound = errorResponse('No such dead letter (or it was purged).');
const kafkaUnavailable = {
  ...errorResponse('Kafka did not acknowledge in time: `kafka_unavailable`.'),
  headers: { 'Retry-After': 'Seconds to wait before retrying.' },
};

/** The dead-letter topic as the API indexes it. Admin keys only. */
export const deadLetterRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/dead-letters',
    tag,
    access: 'admin',
    summary: 'List dead letters',
    description:
      'Messages Flint could not use, newest first, with why (`reason`, `error`) and where they ' +
      'came from; filter by reason, source topic, source id, failure time and whether they were ' +
      're-sent, and follow `nextCursor`. The API indexes the dead-letter topic as it is written, ' +
      'so a dead letter appears a moment after it was dead-lettered.',
    query: DeadLetterListQuerySchema,
    responses: { 200: { description: 'A page of dead letters.', schema: DeadLetterPage } },
  },
  {
    method: 'GET',
    path: '/api/dead-letters/:id',
    tag,
    access: 'admin',
    summary: 'Get one dead letter with its original message',
    params: DeadLetterIdParamsSchema,
    responses: {
      200: { description: 'The dead letter.', schema: DeadLetterDetail },
      404: notFound,
    },
  },
  {
    method: 'POST',
    path: '/api/dead-letters/:id/resend',
    tag,
    access: 'admin',
    summary: 'Re-send one dead letter where it came from',
    description:
      'After fixing its cause. A message of the events or runs topic goes back there as it was. A ' +
      'run request whose run had been claimed (a run that failed without starting) goes back as ' +
      'a new run, `rerunOf` the failed one, with its trigger’s current target, retry and ' +
      'concurrency; its run id follows from the dead letter, so re-sending it again starts no ' +
      'second run. Messages of other upstreams are listed under `notResendable`.',
    params: DeadLetterIdParamsSchema,
    responses: {
      200: { description: 'What was re-sent.', schema: DeadLetterResendResult },
      404: notFound,
      503: kafkaUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/api/dead-letters/resend',
    tag,
    access: 'admin',
    summary: 'Re-send every dead letter matching a filter',
    description:
      'As re-sending one, for each match (oldest first, at most `limit` per call; `more` says ' +
      'when to call again). An empty body re-sends every dead letter.',
    body: DeadLetterResendRequestSchema,
    responses: {
      200: { description: 'What was re-sent.', schema: DeadLetterResendResult },
      503: kafkaUnavailable,
    },
  },
  {
    method: 'DELETE',
    path: '/api/dead-letters/:id',
    tag,
    access: 'admin',
    summary: 'Purge one dead letter',
    description: 'Its message is dropped from the index and it is listed no more.',
    params: DeadLetterIdParamsSchema,
    responses: { 200: { description: 'Purged.', schema: DeadLetterPurgeResult }, 404: notFound },
  },
  {
    method: 'POST',
    path: '/api/dead-letters/purge',
    tag,
    access: 'admin',
    summary: 'Purge every dead letter matching a filter',
    description: 'An empty body purges them all.',
    body: DeadLetterSelectionSchema,
    responses: { 200: { description: 'How many were purged.', schema: DeadLetterPurgeResult } },
  },
];
