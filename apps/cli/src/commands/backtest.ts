import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type BacktestResult, BacktestResultSchema } from '@flint/contracts';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { CliInputError, failuresReported, typed } from '../command-failures';
import { type OutputOptions, formatTable, printOutput, withOutputOption } from '../output';
import { draftTrigger } from './test';

interface BacktestOptions extends ApiOptions, OutputOptions {
  file?: string;
  from: string;
  to?: string;
  limit?: string;
}

/**
 * `flint backtest -f <trigger.yaml> --from <time> [--to <time>]` (a draft) and `flint backtest
 * <trigger-id> --from …` (a saved trigger, compared with what it actually did).
 */
export function registerBacktestCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  withOutputOption(
    withApiOptions(
      program
        .command('backtest [trigger-id]')
        .description(
          'run a trigger over the archived events of a time range with no side effects: the runs ' +
            'it would have started, and why the other events were dropped',
        )
        .option('-f, --file <path>', 'backtest the trigger in this file instead of a stored one')
        .requiredOption('--from <time>', 'events accepted from this ISO time or day (2026-12-01)')
        .option('--to <time>', 'and before this ISO time or day (default: now)')
        .option('--limit <n>', 'list at most this many of the runs (default 100)'),
    ),
  ).action((triggerId: string | undefined, options: BacktestOptions) =>
    attempt(`backtest ${triggerId ?? options.file ?? ''}`.trimEnd(), async () => {
      if ((triggerId === undefined) === (options.file === undefined)) {
        throw new CliInputError('name a stored trigger id or a file with -f, not both or neither');
      }
      if (options.limit !== undefined && !/^\d+$/.test(options.limit)) {
        throw new CliInputError(`--limit must be a whole number, got "${options.limit}"`);
      }
      const client = context.client(options);
      const result = await typed(
        BacktestResultSchema,
        client.request('POST', '/api/triggers/backtest', {
          ...(triggerId === undefined
            ? { trigger: await draftTrigger(resolve(io.cwd, options.file as string), client) }
            : { triggerId }),
          from: options.from,
          to: options.to ?? new Date().toISOString(),
          ...(options.limit === undefined ? {} : { limit: Number(options.limit) }),
        }),
      );
      printOutput(io, options.output, result, () => resultLines(result));
    }),
  );
}

function resultLines(result: BacktestResult): string[] {
  const lines = [
    `trigger ${result.triggerId} over ${result.events} archived event(s) from ${result.from} ` +
      `to ${result.to}: ${result.runs} run(s) would have started`,
  ];
  const decisions = Object.entries(result.decisions);
  if (decisions.length > 0) {
    lines.push(
      'decisions:',
      ...formatTable(
        ['OUTCOME', 'EVENTS'],
        decisions.map(([outcome, count]) => [outcome, String(count)]),
      ),
    );
  }
  if (result.shown.length > 0) {
    lines.push(
      `first ${result.shown.length} run(s):`,
      ...formatTable(
        ['AT', 'RUN', 'EVENTS', 'INPUT'],
        result.shown.map((run) => [
          run.requestedAt,
          run.runId,
          String(run.eventIds.length),
          JSON.stringify(run.input),
        ]),
      ),
    );
  }
  if (result.actual) {
    const { actual } = result;
    lines.push(`actually started in the range: ${actual.runs} run(s)`);
    if (actual.onlyBacktest.length > 0) {
      lines.push(`only in the backtest: ${actual.onlyBacktest.join(', ')}`);
    }
    if (actual.onlyActual.length > 0) {
      lines.push(`only actually started: ${actual.onlyActual.join(', ')}`);
    }
  }
  return lines;
}
