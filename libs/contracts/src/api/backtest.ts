import { z } from 'zod';
import { DECISION_OUTCOMES } from '../history/decision';
import { IdSchema, IsoDateTimeSchema } from '../primitives';

/** A moment of a backtest's range: an ISO date-time, or a day (`2026-12-01`, its start in UTC). */
const MomentSchema = z.union([IsoDateTimeSchema, z.iso.date()]);

/** Most runs a backtest lists (it counts them all). */
export const MAX_BACKTEST_RUNS_SHOWN = 1000;

/**
 * `POST /api/triggers/backtest`: a draft trigger (validated as `PUT` would) or a saved trigger's id,
 * run over the archived events accepted in [`from`, `to`).
 */
export const BacktestRequestSchema = z
  .object({
    trigger: z
      .unknown()
      .optional()
      .describe('A draft trigger definition, as in a definition file; or give `triggerId`.'),
    triggerId: IdSchema.optional().describe('A saved trigger, backtested as it is now.'),
    from: MomentSchema.describe('Archived events accepted from this moment on.'),
    to: MomentSchema.describe('… and before this one.'),
    limit: z
      .number()
      .int()
      .min(0)
      .max(MAX_BACKTEST_RUNS_SHOWN)
      .default(100)
      .describe('How many of the would-be runs to list, first first (all are counted).'),
  })
  .strict()
  .superRefine((request, ctx) => {
    if ((request.trigger === undefined) === (request.triggerId === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['trigger'],
        message: 'give either `trigger` (a draft) or `triggerId` (a saved trigger), not both',
      });
    }
    if (Date.parse(request.from) >= Date.parse(request.to)) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after `from`' });
    }
  });
export type BacktestRequest = z.infer<typeof BacktestRequestSchema>;

/** One run the backtest would have started. */
export const BacktestRunSchema = z.object({
  runId: z
    .string()
    .describe('The id the live evaluator gives the same run, so runs can be compared.'),
  requestedAt: IsoDateTimeSchema.describe('When it would have been requested (simulated time).'),
  eventIds: z.array(z.string()).describe('The events it would have run for.'),
  input: z.unknown().describe('Its input, as the target would receive it.'),
});
export type BacktestRun = z.infer<typeof BacktestRunSchema>;

/** A run the saved trigger actually started in the range (from the runs table). */
export const BacktestActualRunSchema = z.object({
  runId: z.string(),
  createdAt: IsoDateTimeSchema.describe('When the runner claimed it.'),
  triggerVersion: z.number().int(),
  input: z.unknown(),
});

export const BacktestResultSchema = z.object({
  triggerId: z.string(),
  from: IsoDateTimeSchema,
  to: IsoDateTimeSchema,
  events: z.number().int().describe('Archived events read (replays of events are left out).'),
  runs: z.number().int().describe('Runs it would have started.'),
  shown: z.array(BacktestRunSchema).describe('The first `limit` of those runs, first first.'),
  decisions: z
    .partialRecord(z.enum(DECISION_OUTCOMES), z.number().int())
    .describe(
      'For each outcome, how many events the trigger decided so (`condition_false`, `deduplicated`…).',
    ),
  actual: z
    .object({
      runs: z.number().int().describe('Runs of the saved trigger claimed in the range.'),
      shown: z.array(BacktestActualRunSchema).describe('The first `limit` of them, first first.'),
      onlyBacktest: z
        .array(z.string())
        .describe(
          'Run ids the backtest would start that the trigger did not (at most `limit` of them).',
        ),
      onlyActual: z
        .array(z.string())
        .describe(
          'Run ids the trigger started that the backtest would not (at most `limit` of them).',
        ),
    })
    .optional()
    .describe('For a saved trigger: what it actually did in the range, to compare.'),
});
export type BacktestResult = z.infer<typeof BacktestResultSchema>;
