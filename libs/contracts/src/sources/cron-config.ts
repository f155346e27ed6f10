import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { DurationSchema, parseDuration } from '../duration';
import { IsoDateTimeSchema } from '../primitives';
import { strictObject } from '../strict';

const CRON_NAMES = /JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT/gi;
const CRON_FIELD = /^[0-9*,/?#LW-]+$/;

/** Shorthands cron-parser expands (e.g. `@daily` = `0 0 * * *`). */
export const CRON_MACROS = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@hourly',
  '@minutely',
  '@secondly',
  '@weekdays',
  '@weekends',
] as const;

const EVERY = /^@every\s+(\S+)$/;

/** Milliseconds between the slots of an `@every <duration>` schedule; undefined for a cron expression. */
export function everyIntervalMs(schedule: string): number | undefined {
  const match = EVERY.exec(schedule.trim());
  return match ? parseDuration(match[1]) : undefined;
}

/**
 * What is wrong with a schedule, or undefined: 5 fields (minute hour day-of-month month
 * day-of-week), 6 with seconds first, a macro like `@daily`, or `@every <duration>` of whole seconds.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (trimmed.startsWith('@')) return macroProblem(trimmed);
  const fields = trimmed.split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); found ${fields.length}`;
  }
  const bad = fields.findIndex((field) => !CRON_FIELD.test(field.replace(CRON_NAMES, '0')));
  if (bad !== -1) {
    return `field ${bad + 1} ("${fields[bad]}") may only contain digits, "*", ",", "-", "/", "?", "L", "W", "#" and month or weekday names`;
  }
  try {
    CronExpressionParser.parse(trimmed);
    return undefined;
  } catch (err) {
    return `is not a valid cron expression: ${(err as Error).message}`;
  }
}

function macroProblem(schedule: string): string | undefined {
  if ((CRON_MACROS as readonly string[]).includes(schedule)) return undefined;
  const every = EVERY.exec(schedule);
  if (!every) {
    return `unknown shorthand ${JSON.stringify(schedule)}; use "@every <duration>" (like "@every 30s") or one of: ${CRON_MACROS.join(', ')}`;
  }
  let ms: number;
  try {
    ms = parseDuration(every[1]);
  } catch (err) {
    return `"@every" needs a duration: ${(err as Error).message}`;
  }
  if (ms % 1000 !== 0) return '"@every" needs a whole number of seconds (like "@every 30s")';
  return undefined;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const CRON_MISFIRE_POLICIES = ['skip', 'fire-once', 'catch-up'] as const;
export type CronMisfirePolicy = (typeof CRON_MISFIRE_POLICIES)[number];

/** Longest `jitter`: a delay meant to spread load, not to reschedule. */
export const MAX_CRON_JITTER_MS = 3_600_000;

export const CronConfigSchema = strictObject({
  schedule: z
    .string()
    .max(256, 'must be at most 256 characters')
    .superRefine((schedule, ctx) => {
      const problem = cronScheduleProblem(schedule);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  timezone: z
    .string()
    .refine(isTimeZone, {
      error: (issue) =>
        `unknown time zone ${JSON.stringify(issue.input)}; use an IANA name like "Europe/Berlin" or "UTC"`,
    })
    .default('UTC'),
  /**
   * What to do with slots missed while no replica could fire them: `skip` them, `fire-once` for the
   * latest, or `catch-up` on each (the latest `maxCatchUp`).
   */
  misfire: z
    .enum(CRON_MISFIRE_POLICIES, { error: 'must be "skip", "fire-once" or "catch-up"' })
    .default('skip'),
  maxCatchUp: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .optional(),
  /**
   * Delays each slot's event by up to this long, the same delay for a slot on every replica, so
   * many schedules on the same minute do not all fire at once.
   */
  jitter: DurationSchema.refine((text) => parseDuration(text) <= MAX_CRON_JITTER_MS, {
    message: 'must be at most 1h',
  }).optional(),
  /** Carried in every tick's event as `data.payload`. */
  payload: z.unknown().optional(),
}).refine((config) => config.maxCatchUp === undefined || config.misfire === 'catch-up', {
  message: 'only applies when misfire is "catch-up"',
  path: ['maxCatchUp'],
});
export type CronConfig = z.infer<typeof CronConfigSchema>;

/** CloudEvent type of a cron source's events. */
export const CRON_TICK_EVENT_TYPE = 'flint.cron.tick';

/** `data` of a cron tick event; the event's `time` is the scheduled time, its id `<source id>/<scheduled time>`. */
export const CronTickDataSchema = z.object({
  /** The slot, ISO 8601 UTC. */
  scheduledTime: IsoDateTimeSchema,
  /** When the event was fired: after the slot by the jitter and any delay. */
  actualTime: IsoDateTimeSchema,
  /** True when fired by the misfire policy after the slot was missed. */
  missed: z.boolean(),
  /** True when a person fired it (`flint trigger-now`, `flint backfill`), not the schedule. */
  manual: z.boolean().optional(),
  schedule: z.string(),
  timezone: z.string(),
  /** The source's `payload`, when it has one. */
  payload: z.unknown().optional(),
});
export type CronTickData = z.infer<typeof CronTickDataSchema>;

export function cronTickEventId(sourceId: string, scheduled: Date): string {
  return `${sourceId}/${scheduled.toISOString()}`;
}
