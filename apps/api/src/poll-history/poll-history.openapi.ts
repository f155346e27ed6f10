import {
  DefinitionIdParamsSchema,
  PollHistoryQuerySchema,
  PollHistorySchema,
} from '@flint/contracts';
import { type ApiRoute, components, errorResponse } from '../openapi/api-route';

const { PollHistory } = components({ PollHistory: PollHistorySchema });

export const pollHistoryRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/sources/:id/history',
    tag: 'History, test-fire and custom events',
    access: 'viewer',
    summary: 'Poll history of a poll function source',
    description:
      'The last polls of a `provider: function` source, newest first: when, how long, and whether ' +
      'it fired (how many events), found nothing, or failed (with the error type and message). The ' +
      'poller keeps the last 100 polls per source.',
    params: DefinitionIdParamsSchema,
    query: PollHistoryQuerySchema,
    responses: {
      200: { description: 'The polls.', schema: PollHistory },
      404: errorResponse(
        'No such source (or it belongs to another owner), or it is not a poll function source.',
      ),
    },
  },
];
