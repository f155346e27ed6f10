/**
 * The route table of the OpenAPI document: one line per area of the API. To document your area,
 * write `apps/api/src/<area>/<area>.openapi.ts` exporting ONE array of `ApiRoute` entries (see
 * `api-route.ts`; `definitions/definitions.openapi.ts` is an example) and add one line here:
 *
 *   export { accessRoutes } from '../auth/access.openapi';
 *
 * Every route a controller registers under /api must have an entry: `test/integration/api/openapi.test.ts`
 * fails otherwise.
 */
export { definitionRoutes } from '../definitions/definitions.openapi';
export { docsRoutes } from './docs.openapi';
export { accessRoutes } from '../auth/access.openapi';
export { historyRoutes } from '../runs/history.openapi';
export { consoleRoutes } from '../console/console.openapi';
export { pollHistoryRoutes } from '../poll-history/poll-history.openapi';
export { eventArchiveRoutes } from '../event-archive/event-archive.openapi';
export { deadLetterRoutes } from '../dead-letters/dead-letters.openapi';
export { scheduleRoutes } from '../schedules/schedules.openapi';
export { backtestRoutes } from '../backtest/backtest.openapi';
