import type { Command } from 'commander';
import {
  type DeadLetterDetail,
  DeadLetterDetailSchema,
  DeadLetterPageSchema,
  DeadLetterPurgeResultSchema,
  type DeadLetterResendResult,
  DeadLetterResendResultSchema,
  type DeadLetterSummary,
} from '@flint/contracts';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { CliInputError, failuresReported, typed } from '../command-failures';
import { type OutputOptions, formatTable, printOutput, withOutputOption } from '../output';

interface FilterOptions extends ApiOptions {
  reason?: string;
  sourceTopic?: string;
  sourceId?: string;
  since?: string;
  until?: string;
}

interface ListOptions extends FilterOptions, OutputOptions {
  limit: string;
  resent?: boolean;
}

interface BulkOptions extends FilterOptions {
  all?: boolean;
}

/** The filters every bulk command takes, the same as the listing's. */
function withFilters(command: Command): Command {
  return command
    .option(
      '--reason <reason>',
      'only this reason (undecodable, invalid, processing-failed, too-large)',
    )
    .option(
      '--source-topic <topic>',
      'only those read from this topic (or of this subscriber kind)',
    )
    .option('--source-id <id>', 'only those of this Flint source')
    .option('--since <time>', 'only those that failed from this moment on (ISO 8601)')
    .option('--until <time>', 'only those that failed before this moment (ISO 8601)');
}

/**
 * `flint dlq list | get <id> | resend <id> | resend --all [filters] | purge <id> | purge --all
 * [filters]`: the dead-letter topic through the API (admin keys).
 */
export function registerDlqCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  const dlq = program
    .command('dlq')
    .description('dead letters: list them, show one, re-send them after a fix, purge them');

  withOutputOption(
    withApiOptions(
      withFilters(dlq.command('list').description('list dead letters, newest first'))
        .option('--resent', 'only those re-sent before')
        .option('--no-resent', 'only those never re-sent')
        .option('--limit <n>', 'how many to list', '20'),
    ),
  ).action((options: ListOptions) =>
    attempt('dlq list', async () => {
      if (!/^\d+$/.test(options.limit) || Number(options.limit) < 1) {
        throw new CliInputError(
          `--limit must be a whole number of at least 1, got "${options.limit}"`,
        );
      }
      const wanted = Number(options.limit);
      const items: DeadLetterSummary[] = [];
      let cursor: string | undefined;
      do {
        const query = new URLSearchParams(filterQuery(options));
        query.set('limit', String(Math.min(wanted - items.length, 500)));
        if (options.resent !== undefined) query.set('resent', String(options.resent));
        if (cursor) query.set('cursor', cursor);
        const page = await typed(
          DeadLetterPageSchema,
          context.client(options).request('GET', `/api/dead-letters?${query}`),
        );
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== undefined && items.length < wanted);
      printOutput(io, options.output, items, () =>
        items.length === 0 ? ['no dead letters'] : deadLetterTable(items),
      );
    }),
  );

  withOutputOption(
    withApiOptions(dlq.command('get <id>').description('show one dead letter and its message')),
  ).action((id: string, options: ApiOptions & OutputOptions) =>
    attempt(`dlq get ${id}`, async () => {
      const letter = await typed(
        DeadLetterDetailSchema,
        context.client(options).request('GET', `/api/dead-letters/${encodeURIComponent(id)}`),
      );
      printOutput(io, options.output, letter, () => deadLetterLines(letter));
    }),
  );

  withApiOptions(
    withFilters(
      dlq
        .command('resend [id]')
        .description(
          'send a dead letter (or, with --all, every one matching) back where it came from',
        ),
    ).option('--all', 'every dead letter matching the filters'),
  ).action((id: string | undefined, options: BulkOptions) =>
    attempt(id === undefined ? 'dlq resend' : `dlq resend ${id}`, async () => {
      const client = context.client(options);
      const result = await typed(
        DeadLetterResendResultSchema,
        id === undefined
          ? client.request('POST', '/api/dead-letters/resend', bulkSelection(options))
          : client.request(
              'POST',
              `/api/dead-letters/${encodeURIComponent(oneOnly(id, options))}/resend`,
            ),
      );
      for (const line of resendLines(result)) io.out(line);
    }),
  );

  withApiOptions(
    withFilters(
      dlq
        .command('purge [id]')
        .description('purge a dead letter, or with --all every one matching'),
    ).option('--all', 'every dead letter matching the filters'),
  ).action((id: string | undefined, options: BulkOptions) =>
    attempt(id === undefined ? 'dlq purge' : `dlq purge ${id}`, async () => {
      const client = context.client(options);
      const { purged } = await typed(
        DeadLetterPurgeResultSchema,
        id === undefined
          ? client.request('POST', '/api/dead-letters/purge', bulkSelection(options))
          : client.request(
              'DELETE',
              `/api/dead-letters/${encodeURIComponent(oneOnly(id, options))}`,
            ),
      );
      io.out(`${purged} dead letter(s) purged`);
    }),
  );
}

function filterQuery(options: FilterOptions): Record<string, string> {
  const filters: Record<string, string | undefined> = {
    reason: options.reason,
    sourceTopic: options.sourceTopic,
    sourceId: options.sourceId,
    since: options.since,
    until: options.until,
  };
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) given[name] = value;
  return given;
}

/** A bulk re-send or purge names what it acts on: `--all` with or without filters, never by accident. */
function bulkSelection(options: BulkOptions): Record<string, string> {
  if (!options.all) {
    throw new CliInputError(
      'name a dead letter id, or pass --all (with filters to narrow it down)',
    );
  }
  return filterQuery(options);
}

function oneOnly(id: string, options: BulkOptions): string {
  if (options.all || Object.keys(filterQuery(options)).length > 0) {
    throw new CliInputError('give a dead letter id or --all with filters, not both');
  }
  return id;
}

function resendLines(result: DeadLetterResendResult): string[] {
  return [
    ...result.resent.map(
      (sent) =>
        `${sent.id} re-sent to ${sent.topic}${sent.runId === undefined ? '' : ` as run ${sent.runId}`}`,
    ),
    ...result.notResendable.map((letter) => `${letter.id} not re-sent: ${letter.why}`),
    ...(result.more ? ['more dead letters match: run the command again for the next ones'] : []),
    ...(result.resent.length === 0 && result.notResendable.length === 0
      ? ['no dead letters matched']
      : []),
  ];
}

function deadLetterTable(items: DeadLetterSummary[]): string[] {
  return formatTable(
    ['ID', 'FAILED AT', 'REASON', 'SOURCE', 'KEY', 'RESENT', 'ERROR'],
    items.map((item) => [
      item.id,
      item.failedAt,
      item.reason,
      item.sourceId ? `${item.sourceTopic} (${item.sourceId})` : item.sourceTopic,
      item.key ?? '-',
      item.resendCount > 0 ? `${item.resendCount}x` : item.resendable ? 'no' : 'n/a',
      oneLine(item.error ?? ''),
    ]),
  );
}

function deadLetterLines(letter: DeadLetterDetail): string[] {
  const field = (name: string, value: string | number | undefined) =>
    value === undefined ? [] : [`${name.padEnd(14)}${value}`];
  return [
    ...field('id', letter.id),
    ...field('reason', letter.reason),
    ...field('error', letter.error),
    ...field('failed at', letter.failedAt),
    ...field('source topic', letter.sourceTopic),
    ...field(
      'position',
      letter.sourcePartition === undefined
        ? undefined
        : `partition ${letter.sourcePartition}, offset ${letter.sourceOffset ?? '?'}`,
    ),
    ...field('source', letter.sourceId),
    ...field('origin', letter.origin),
    ...field('key', letter.key ?? undefined),
    ...field('resendable', letter.resendable ? 'yes' : 'no'),
    ...field(
      're-sent',
      letter.resentAt ? `${letter.resendCount}x, last ${letter.resentAt}` : undefined,
    ),
    'headers:',
    ...Object.entries(letter.headers).map(([name, value]) => `  ${name}: ${value}`),
    `value (${letter.valueEncoding}):`,
    `  ${letter.value ?? '(none)'}`,
  ];
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
}
