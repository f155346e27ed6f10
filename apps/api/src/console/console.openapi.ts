import {
  ConsoleLoginRequestSchema,
  ConsoleLoginResponseSchema,
  ConsoleSettingsSchema,
  OverviewQuerySchema,
  OverviewSchema,
  PrincipalInfoSchema,
  SourceActivityListSchema,
  SourceActivityQuerySchema,
  TriggerActivityListSchema,
  TriggerActivityQuerySchema,
} from '@flint/contracts';
import { type ApiRoute, component, errorResponse } from '../openapi/api-route';

const Overview = component('Overview', OverviewSchema);
const tag = 'Console';

/** What the web console needs besides the management API: identity, settings, aggregates. */
export const consoleRoutes: ApiRoute[] = [
  {
    method: 'GET',
    path: '/api/me',
    tag,
    access: 'viewer',
    summary: 'Who this key is',
    description: 'The key id, role and owner scope, so a client shows only what the key may do.',
    responses: { 200: { description: 'The key.', schema: PrincipalInfoSchema } },
  },
  {
    method: 'GET',
    path: '/api/console/settings',
    tag,
    access: 'viewer',
    summary: 'Settings the console links with',
    description:
      'The trace viewer URL template (FLINT_TRACE_URL_TEMPLATE) and the webhook service’s public ' +
      'URL (FLINT_WEBHOOK_PUBLIC_URL), when set.',
    responses: { 200: { description: 'The settings.', schema: ConsoleSettingsSchema } },
  },
  {
    method: 'POST',
    path: '/api/console/login',
    tag,
    access: 'public',
    summary: 'Trade a one-time login token for its key',
    description:
      'The local stack (`npm start`) prints a console link with a token in its URL fragment; the ' +
      'console trades it here for the local admin key, once, within 15 minutes of the start.',
    body: ConsoleLoginRequestSchema,
    responses: {
      200: { description: 'The key the token was issued for.', schema: ConsoleLoginResponseSchema },
      400: errorResponse('No token in the body.'),
      401: errorResponse('Unknown, used or expired token: `login_link_invalid`.'),
    },
  },
  {
    method: 'GET',
    path: '/api/overview',
    tag,
    access: 'viewer',
    summary: 'Events and runs per minute, and sources that are down',
    description:
      'Over `since`..`until` (default the last hour, at most 24 hours): events the evaluator ' +
      'consumed and runs started, succeeded and failed, per minute (every minute, zeros ' +
      'included) and in total; how many sources and triggers there are and are enabled; and the ' +
      'enabled sources whose provider replicas report them failed or invalid, or report them not ' +
      'at all. A scoped key sees its owner’s sources, their events, and its runs.',
    query: OverviewQuerySchema,
    responses: { 200: { description: 'The overview.', schema: Overview } },
  },
  {
    method: 'GET',
    path: '/api/activity/triggers',
    tag,
    access: 'viewer',
    summary: 'Recent runs of several triggers',
    description:
      'For each trigger named in `ids` the key may see: runs claimed in the last 24 hours by ' +
      'outcome, and when its newest run was claimed, with its status. For a page of a listing.',
    query: TriggerActivityQuerySchema,
    responses: {
      200: { description: 'One entry per trigger.', schema: TriggerActivityListSchema },
    },
  },
  {
    method: 'GET',
    path: '/api/activity/sources',
    tag,
    access: 'viewer',
    summary: 'Health and recent events of several sources',
    description:
      'For each source named in `ids` the key may see: its health as its provider replicas ' +
      'report it (`up`, `starting`, `failed`, `invalid`, `down`, `disabled`, or `passive` for ' +
      '`event` and `run-status` sources), events consumed in the last hour, and when its newest ' +
      'event was accepted.',
    query: SourceActivityQuerySchema,
    responses: { 200: { description: 'One entry per source.', schema: SourceActivityListSchema } },
  },
];
