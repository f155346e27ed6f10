import {
  CancelRunResponseSchema,
  CompleteRunHeadersSchema,
  CompleteRunRequestSchema,
  CompleteRunResponseSchema,
  DefinitionIdParamsSchema,
  RerunRequestSchema,
  RerunResponseSchema,
  DraftTestFireRequestSchema,
  EmitEventRequestSchema,
  EmitEventResponseSchema,
  RecentEventsQuerySchema,
  RecentEventsSchema,
  RunDetailSchema,
  RunIdParamsSchema,
  RunListQuerySchema,
  RunPageSchema,
  RunSummarySchema,
  TestFireRequestSchema,
  TestFireResultSchema,
  TriggerRunListQuerySchema,
  RunStreamQuerySchema,
  TriggerStatsQuerySchema,
  TriggerStatsSchema,
  TriggerValidationSchema,
} from '@flint/contracts';
import { z } from 'zod';
import { type ApiRoute, components, errorResponse } from '../openapi/api-route';

const { RunPage, RunDetail, TriggerStats, RecentEvents, TestFireResult } = components({
  RunPage: RunPageSchema,
  RunDetail: RunDetailSchema,
  TriggerStats: TriggerStatsSchema,
  RecentEvents: RecentEventsSchema,
  TestFireResult: TestFireResultSchema,
});

const tag = 'History, test-fire and custom events';
const kafkaUnavailable = {
  ...errorResponse(
    'Kafka did not acknowledge in time: `kafka_unavailable`; nothing was published.',
  ),
  headers: { 'Retry-After': 'Seconds to wait before retrying (with the same event id).' },
};
const triggerNotFound = errorResponse('No such trigger (or it belongs to another owner).');

/** History, test-fire and custom events: runs, activity, test-fire and `POST /api/events`. */
export const historyRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/runs',
    tag,
    access: 'viewer',
    summary: 'List runs',
    description:
      'Newest first (by when the runner claimed the run). Filter by trigger, status, owner and time; ' +
      'follow `nextCursor` for more. A scoped key sees only its owner’s runs.',
    query: RunListQuerySchema,
    responses: { 200: { description: 'A page of runs.', schema: RunPage } },
  },
  {
    method: 'GET',
    path: '/api/runs/stream',
    tag,
    access: 'viewer',
    summary: 'Follow runs as they are claimed and change (server-sent events)',
    description:
      'A `text/event-stream` that stays open: an `event: run` whose `data` is the run as the ' +
      'listing shows it (a `RunSummary`), each time a run is claimed or changes status or ' +
      'attempts, from the moment of connecting on; `event: overflow` when more runs changed at ' +
      'once than the stream carries (reload the listing); a comment line every 15 s. Filters as ' +
      'the listing; a scoped key sees its owner’s runs only. Send the key in the Authorization ' +
      'header (read it with `fetch`, not `EventSource`, which cannot send one).',
    query: RunStreamQuerySchema,
    responses: {
      200: {
        description:
          'The stream (`text/event-stream`); each `data` line of an `event: run` is this JSON.',
        schema: RunSummarySchema,
      },
    },
  },
  {
    method: 'GET',
    path: '/api/runs/:runId',
    tag,
    access: 'viewer',
    summary: 'Get one run in full',
    description:
      'Input, result or error, every attempt (outcome, error, HTTP status and body excerpt, ' +
      'timings), the log lines of a local workflow, and the trace id.',
    params: RunIdParamsSchema,
    responses: {
      200: { description: 'The run.', schema: RunDetail },
      404: errorResponse('No such run (or it belongs to another owner).'),
    },
  },
  {
    method: 'POST',
    path: '/api/runs/:runId/cancel',
    tag,
    access: 'editor',
    summary: 'Cancel a run',
    description:
      'Records the cancellation; the runner carries it out within its poll interval ' +
      '(`FLINT_RUNNER_POLL_INTERVAL_MS`): a queued run, or one waiting for a retry, never starts; a ' +
      'running local workflow sees its `ctx.signal` aborted. The run ends CANCELLED (error type ' +
      '`CancelledError`) with a `flint.run.cancelled` event. Asking again answers the same; a run ' +
      'that already ended otherwise is a 409. An editor key of the run’s owner (or an admin key).',
    params: RunIdParamsSchema,
    responses: {
      202: {
        description: 'Cancellation recorded (or done before).',
        schema: CancelRunResponseSchema,
      },
      404: errorResponse('No such run (or it belongs to another owner).'),
      409: errorResponse('The run already ended SUCCEEDED, FAILED or SKIPPED: `run_finished`.'),
    },
  },
  {
    method: 'POST',
    path: '/api/runs/:runId/rerun',
    tag,
    access: 'editor',
    summary: 'Re-run a run',
    description:
      'Publishes a new run request with the original run’s trigger, target, retry and concurrency ' +
      'settings and its input, or the `input` given: a new run id, whose run shows `rerunOf`, while ' +
      'the original lists it under `reruns`. Answered once Kafka acknowledged; the run appears when ' +
      'the runner claimed it. An editor key of the run’s owner (or an admin key).',
    params: RunIdParamsSchema,
    body: RerunRequestSchema,
    responses: {
      202: { description: 'The new run was requested.', schema: RerunResponseSchema },
      404: errorResponse('No such run (or it belongs to another owner).'),
      503: kafkaUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/api/runs/:runId/complete',
    tag,
    access: 'public',
    summary: 'Report the outcome of a remote workflow (completion: callback)',
    description:
      'Called by the workflow a `completion: callback` target started, with the URL and the ' +
      'single-use token its start carried (HTTP: the `x-flint-callback-url` and ' +
      '`x-flint-callback-token` headers; Kafka: the `flintcallbackurl` and `flintcallbacktoken` ' +
      'extensions of the command). No API key: the token is the credential, sent back in the ' +
      '`x-flint-callback-token` header. `result` ends the run SUCCEEDED, `error` (with a `type`) ' +
      'FAILED, and its run-status event says so, so run-status triggers see the real outcome. ' +
      'Without a report before the target’s `completionTimeout` the run fails with TimeoutError.',
    params: RunIdParamsSchema,
    headers: CompleteRunHeadersSchema,
    body: CompleteRunRequestSchema,
    responses: {
      200: { description: 'The run ended.', schema: CompleteRunResponseSchema },
      401: errorResponse(
        'No such run waits for an outcome with this token (`invalid_token`): a token works once.',
      ),
      409: errorResponse(
        'The run’s start is still being recorded (`run_not_started`): report again in a moment.',
      ),
    },
  },
  {
    method: 'GET',
    path: '/api/triggers/:id/runs',
    tag,
    access: 'viewer',
    summary: 'List a trigger’s runs',
    params: DefinitionIdParamsSchema,
    query: TriggerRunListQuerySchema,
    responses: { 200: { description: 'A page of runs.', schema: RunPage }, 404: triggerNotFound },
  },
  {
    method: 'GET',
    path: '/api/triggers/:id/stats',
    tag,
    access: 'viewer',
    summary: 'Count what a trigger did',
    description:
      'Events received, matched, dropped, duplicate and failing an expression (recorded by the ' +
      'evaluator per minute), and runs started and failed, over `since`..`until` (default: the ' +
      'last hour, at most 31 days), in total and per minute.',
    params: DefinitionIdParamsSchema,
    query: TriggerStatsQuerySchema,
    responses: {
      200: { description: 'The counts.', schema: TriggerStats },
      404: triggerNotFound,
    },
  },
  {
    method: 'GET',
    path: '/api/sources/:id/events',
    tag,
    access: 'viewer',
    summary: 'Recent events of a source',
    description:
      'The last events the evaluator saw from the source (custom events under the `event` sources ' +
      'they reached), newest first, with the start of their data.',
    params: DefinitionIdParamsSchema,
    query: RecentEventsQuerySchema,
    responses: {
      200: { description: 'The events.', schema: RecentEvents },
      404: errorResponse('No such source (or it belongs to another owner).'),
    },
  },
  {
    method: 'POST',
    path: '/api/triggers/:id/test',
    tag,
    access: 'viewer',
    summary: 'Test-fire a trigger',
    description:
      'Whether the sample event would fire the trigger, why not, its dedupe key, the mapped input ' +
      'and the run id. Nothing starts unless `start` is true, which needs an editor key for the ' +
      'trigger’s owner and publishes the run request for the runner.',
    params: DefinitionIdParamsSchema,
    body: TestFireRequestSchema,
    responses: {
      200: { description: 'What the trigger makes of the event.', schema: TestFireResult },
      404: triggerNotFound,
      409: errorResponse('`start` on a disabled trigger: `trigger_disabled`.'),
      503: kafkaUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/api/triggers/test',
    tag,
    access: 'viewer',
    summary: 'Test-fire an unsaved trigger',
    description:
      'The draft is validated as saving it would be (schema, CEL with error positions, sources); ' +
      'problems are reported under `trigger.`.',
    body: DraftTestFireRequestSchema,
    responses: {
      200: { description: 'What the draft makes of the event.', schema: TestFireResult },
      503: kafkaUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/api/triggers/validate',
    tag,
    access: 'viewer',
    summary: 'Check a trigger without saving it',
    description:
      'The body is a trigger definition as `POST /api/triggers` takes it. The answer is what ' +
      'saving it would say, as a verdict: every problem by path (schema, CEL expressions with ' +
      'the line, column and offset of the error in `position`, named sources that do not ' +
      'exist). Always 200 for a JSON body, valid or not; nothing is stored.',
    body: z.unknown(),
    responses: {
      200: { description: 'The verdict.', schema: TriggerValidationSchema },
    },
  },
  {
    method: 'POST',
    path: '/api/events',
    tag,
    access: 'editor',
    summary: 'Emit a custom event',
    description:
      'Published to the events topic as a CloudEvent (provider `api`, its owner in ' +
      '`flintowner`: the key’s, "default" for an admin key, or the `owner` an admin names); ' +
      'every trigger of that owner listening to its type fires, and triggers an admin shared ' +
      'the type with (`fromOwners`). Types starting with `flint.` are refused (400). Answered ' +
      'only after Kafka acknowledged. The same `id` twice is one event to the triggers’ dedupe.',
    body: EmitEventRequestSchema,
    responses: {
      202: { description: 'Published.', schema: EmitEventResponseSchema },
      403: { description: 'An editor named another owner.' },
      503: kafkaUnavailable,
    },
  },
];
