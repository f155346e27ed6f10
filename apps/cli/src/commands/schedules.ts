import type { Command } from 'commander';
import { BackfillResponseSchema, TriggerNowResponseSchema } from '@flint/contracts';
import { type ApiOptions, type CommandContext, withApiOptions } from '../cli';
import { failuresReported, typed } from '../command-failures';

interface BackfillOptions extends ApiOptions {
  from: string;
  to: string;
}

/** `flint trigger-now <cron source>` and `flint backfill <cron source> --from <t> --to <t>`. */
export function registerScheduleCommands(program: Command, context: CommandContext): void {
  const { io } = context;
  const attempt = failuresReported(context);
  withApiOptions(
    program
      .command('trigger-now <source>')
      .description('fire a cron source once now (an event of its own, marked manual)'),
  ).action((source: string, options: ApiOptions) =>
    attempt(`trigger-now ${source}`, async () => {
      const fired = await typed(
        TriggerNowResponseSchema,
        context
          .client(options)
          .request('POST', `/api/sources/${encodeURIComponent(source)}/trigger-now`),
      );
      io.out(fired.eventId);
      io.err(`source ${source} fired at ${fired.firedAt}`);
    }),
  );
  withApiOptions(
    program
      .command('backfill <source>')
      .description('fire the slots of a cron source from --from to --to that were not fired')
      .requiredOption('--from <time>', 'the first moment of the range (ISO 8601, included)')
      .requiredOption('--to <time>', 'the last moment of the range (ISO 8601, included)'),
  ).action((source: string, options: BackfillOptions) =>
    attempt(`backfill ${source}`, async () => {
      const result = await typed(
        BackfillResponseSchema,
        context
          .client(options)
          .request('POST', `/api/sources/${encodeURIComponent(source)}/backfill`, {
            from: options.from,
            to: options.to,
          }),
      );
      for (const { slot, eventId } of result.fired) io.out(`fired ${slot} (${eventId})`);
      for (const slot of result.alreadyFired) io.out(`already fired ${slot}`);
      io.err(
        `${result.fired.length} slot(s) fired, ${result.alreadyFired.length} already fired before`,
      );
    }),
  );
}
