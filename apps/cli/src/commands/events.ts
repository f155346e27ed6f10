import type { Command } from 'commander';
import {
  type ArchivedEventDetail,
  ArchivedEventDetailSchema,
  ArchivedEventPageSchema,
  type ArchivedEventSummary,
  type Decision,
} from '@flint/contracts';
import type { FlintApiClient } from '../api-client';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { CliInputError, failuresReported, typed } from '../command-failures';
import { type OutputOptions, formatTable, printOutput, withOutputOption } from '../output';

interface EventsOptions extends ApiOptions, OutputOptions {
  source?: string;
  type?: string;
  owner?: string;
  since?: string;
  until?: string;
  filter?: string;
  run?: string;
  fired?: boolean;
  limit: string;
}

/** `flint events [filters]` lists the archive, `flint events <event-id>` shows one with its decisions. */
export function registerEventCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  withOutputOption(
    withApiOptions(
      program
        .command('events [event-id]')
        .description(
          'list archived events, newest first, or show one with why each trigger fired or not',
        )
        .option('--source <id>', 'only events of this source')
        .option('--type <type>', 'only events of this type')
        .option('--owner <owner>', 'only events of this owner (admin keys)')
        .option('--since <time>', 'only events accepted from this ISO time on')
        .option('--until <time>', 'only events accepted before this ISO time')
        .option('--filter <cel>', 'only events for which this CEL expression over `event` is true')
        .option('--run <run-id>', 'only the events that caused this run')
        .option('--fired', 'only events that fired a trigger')
        .option('--not-fired', 'only events that fired no trigger')
        .option('--limit <n>', 'how many events to list', '20'),
    ),
  ).action((eventId: string | undefined, options: EventsOptions & { notFired?: boolean }) =>
    attempt(eventId === undefined ? 'events' : `events ${eventId}`, async () => {
      const client = context.client(options);
      if (eventId !== undefined) {
        const event = await typed(
          ArchivedEventDetailSchema,
          client.request('GET', `/api/events/${encodeURIComponent(eventId)}`),
        );
        printOutput(io, options.output, event, () => eventLines(event));
        return;
      }
      if (options.fired && options.notFired) {
        throw new CliInputError('--fired and --not-fired exclude each other');
      }
      const events = await listEvents(client, {
        ...options,
        ...(options.notFired ? { fired: false } : {}),
      });
      printOutput(io, options.output, events, () =>
        events.length === 0 ? ['no events'] : eventTable(events),
      );
    }),
  );
}

/** The query string of the archive's filters, as `GET /api/events` takes them. */
export function eventFilterQuery(
  options: Omit<EventsOptions, 'limit' | 'output'>,
): URLSearchParams {
  const query = new URLSearchParams();
  for (const name of ['source', 'type', 'owner', 'since', 'until', 'filter', 'run'] as const) {
    const value = options[name];
    if (value !== undefined) query.set(name, value);
  }
  if (options.fired !== undefined) query.set('fired', String(options.fired));
  return query;
}

async function listEvents(
  client: FlintApiClient,
  options: EventsOptions,
): Promise<ArchivedEventSummary[]> {
  if (!/^\d+$/.test(options.limit) || Number(options.limit) < 1) {
    throw new CliInputError(`--limit must be a whole number of at least 1, got "${options.limit}"`);
  }
  const wanted = Number(options.limit);
  const events: ArchivedEventSummary[] = [];
  let cursor: string | undefined;
  do {
    const query = eventFilterQuery(options);
    query.set('limit', String(Math.min(wanted - events.length, 500)));
    if (cursor) query.set('cursor', cursor);
    const page = await typed(
      ArchivedEventPageSchema,
      client.request('GET', `/api/events?${query}`),
    );
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined && events.length < wanted);
  return events;
}

export function eventTable(events: readonly ArchivedEventSummary[]): string[] {
  return formatTable(
    ['EVENT ID', 'TYPE', 'SOURCE', 'ACCEPTED', 'FIRED', 'CONSIDERED'],
    events.map((event) => [
      event.id,
      event.type,
      event.sourceId,
      event.acceptedAt,
      event.fired.length === 0 ? '-' : event.fired.join(','),
      String(event.considered),
    ]),
  );
}

function eventLines(event: ArchivedEventDetail): string[] {
  const field = (name: string, value: string | undefined) =>
    value === undefined ? [] : [`${name.padEnd(12)}${value}`];
  const lines = [
    ...field('event', event.id),
    ...field('type', event.type),
    ...field('source', `${event.sourceId} (${event.provider})`),
    ...field('owner', event.owner),
    ...field('accepted', event.acceptedAt),
    ...field('replay of', event.replayOf),
    ...field('fired', event.fired.length === 0 ? 'nothing' : event.fired.join(', ')),
    'decisions:',
    ...(event.decisions.length === 0 ? ['  no trigger listens to it'] : []),
    ...event.decisions.flatMap(decisionLines),
    ...(event.decisionsOmitted > 0 ? [`  … and ${event.decisionsOmitted} more`] : []),
    'data:',
    ...JSON.stringify(event.event.data ?? null, null, 2)
      .split('\n')
      .map((line) => `  ${line}`),
  ];
  return lines;
}

function decisionLines(decision: Decision): string[] {
  const lines = [`  ${decision.triggerId}: ${decision.outcome} — ${decision.message}`];
  const detail = (text: string) => lines.push(`      ${text}`);
  if (decision.runId) detail(`run ${decision.runId}`);
  if (decision.batchId) detail(`batch ${decision.batchId}`);
  if (decision.match) {
    detail(
      `match ${decision.match.field}: expected ${decision.match.expected}, got ${decision.match.got}`,
    );
  }
  if (decision.condition) {
    detail(`false: ${decision.condition.expression}`);
    detail(`  →  ${decision.condition.evaluated}`);
  }
  if (decision.error) detail(`error: ${decision.error}`);
  return lines;
}
