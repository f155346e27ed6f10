import type { Command } from 'commander';
import { type ReplayRequest, ReplayResultSchema } from '@flint/contracts';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { CliInputError, failuresReported, typed } from '../command-failures';
import { type OutputOptions, formatTable, printOutput, withOutputOption } from '../output';

interface ReplayOptions extends ApiOptions, OutputOptions {
  since: string;
  until?: string;
  source?: string;
  type?: string;
  owner?: string;
  filter?: string;
  trigger?: string;
  rerun?: boolean;
  limit?: string;
}

/** `flint replay --since <time> [--until <time>] [filters] [--trigger t] [--rerun]`. */
export function registerReplayCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  withOutputOption(
    withApiOptions(
      program
        .command('replay')
        .description(
          're-publish archived events to the evaluator with fresh ids, to every trigger or one',
        )
        .requiredOption('--since <time>', 'replay events accepted from this ISO time on')
        .option('--until <time>', 'and before this ISO time (default: now)')
        .option('--source <id>', 'only events of this source')
        .option('--type <type>', 'only events of this type')
        .option('--owner <owner>', 'only events of this owner (admin keys)')
        .option('--filter <cel>', 'only events for which this CEL expression over `event` is true')
        .option('--trigger <id>', 'offer the events to this trigger only')
        .option('--rerun', 'let triggers the original events fired fire again, as new runs')
        .option('--limit <n>', 'replay at most this many events, oldest first'),
    ),
  ).action((options: ReplayOptions) =>
    attempt('replay', async () => {
      if (options.limit !== undefined && !/^\d+$/.test(options.limit)) {
        throw new CliInputError(`--limit must be a whole number, got "${options.limit}"`);
      }
      const request: ReplayRequest = {
        since: options.since,
        until: options.until ?? new Date().toISOString(),
        ...(options.source === undefined ? {} : { source: options.source }),
        ...(options.type === undefined ? {} : { type: options.type }),
        ...(options.owner === undefined ? {} : { owner: options.owner }),
        ...(options.filter === undefined ? {} : { filter: options.filter }),
        ...(options.trigger === undefined ? {} : { trigger: options.trigger }),
        ...(options.rerun ? { rerun: true } : {}),
        ...(options.limit === undefined ? {} : { limit: Number(options.limit) }),
      };
      const result = await typed(
        ReplayResultSchema,
        context.client(options).request('POST', '/api/events/replay', request),
      );
      printOutput(io, options.output, result, () => [
        `replayed ${result.replayed.length} event(s)` +
          (result.skipped > 0 ? `, skipped ${result.skipped} the trigger already fired` : '') +
          (result.more ? '; more matched than --limit allowed' : ''),
        ...(result.replayed.length === 0
          ? []
          : formatTable(
              ['ORIGINAL', 'REPLAYED AS'],
              result.replayed.map(({ originalId, eventId }) => [originalId, eventId]),
            )),
      ]);
    }),
  );
}
