import type { Command } from 'commander';
import {
  type ArchivedEventDetail,
  ArchivedEventDetailSchema,
  ArchivedEventPageSchema,
  type ArchivedEventSummary,
  ArchivedEventSummarySchema,
  type Decision,
} from '@flint/contracts';
import { stringify } from 'yaml';
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
  follow?: boolean;
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
        .option('--limit <n>', 'how many events to list', '20')
        .option(
          '-f, --follow',
          'after listing, print events as they are archived until interrupted (Ctrl-C)',
        ),
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
      const filters = { ...options, ...(options.notFired ? { fired: false } : {}) };
      if (options.follow) {
        await followEvents(context, client, filters);
        return;
      }
      const events = await listEvents(client, filters);
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

/**
 * `--follow`: one line per event as it is archived (JSON lines with `-o json`), from now until the
 * command is stopped. The stream takes the listing's source, type, owner and CEL filters.
 */
async function followEvents(
  context: CommandContext,
  client: FlintApiClient,
  options: EventsOptions,
): Promise<void> {
  const { io } = context;
  for (const flag of ['since', 'until', 'run', 'fired'] as const) {
    if (options[flag] !== undefined) {
      throw new CliInputError(`--follow shows new events only; it does not take --${flag}`);
    }
  }
  const query = eventFilterQuery(options);
  const stop = io.stop ?? untilInterrupted();
  if (options.output === 'table') io.out(followHeader());
  await client.follow(
    `/api/events/stream?${query}`,
    (event, data) => {
      if (event === 'overflow') {
        io.err('more events came at once than the stream carries; some are not shown');
        return;
      }
      const parsed = ArchivedEventSummarySchema.safeParse(data);
      if (!parsed.success || event !== 'event') return;
      if (options.output === 'json') io.out(JSON.stringify(parsed.data));
      else if (options.output === 'yaml') io.out(`---\n${stringify(parsed.data).trimEnd()}`);
      else io.out(followLine(parsed.data));
    },
    stop,
  );
}

/** Aborts on the first Ctrl-C, which then ends the command normally. */
function untilInterrupted(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}

/** Followed events are printed as they come, so columns are fixed: a time, a UUID, the rest. */
function followHeader(): string {
  return followColumns('ACCEPTED', 'EVENT ID', 'TYPE', 'SOURCE', 'FIRED');
}

function followLine(event: ArchivedEventSummary): string {
  const fired = event.fired.length === 0 ? '-' : event.fired.join(',');
  return followColumns(event.acceptedAt, event.id, event.type, event.sourceId, fired);
}

function followColumns(at: string, id: string, ...rest: string[]): string {
  return [at.padEnd(24), id.padEnd(36), ...rest].join('  ');
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
