import { z } from 'zod';
import { strictObject } from '../strict';

const CRON_NAMES = /JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT/gi;
const CRON_FIELD = /^[0-9*,/?#LW-]+$/;

/**
 * Checks the shape of a cron expression: 5 fields (minute hour day-of-month month day-of-week), or 6
 * with seconds first, each made of cron characters. Full parsing is the cron service's.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5 && fields.length !== 6) {
    return `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); found ${fields.length}`;
  }
  const bad = fields.findIndex((field) => !CRON_FIELD.test(field.replace(CRON_NAMES, '0')));
  if (bad === -1) return undefined;
  return `field ${bad + 1} ("${fields[bad]}") may only contain digits, "*", ",", "-", "/", "?", "L", "W", "#" and month or weekday names`;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

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
  /** What to do with slots missed while the service was down: skip them or fire each (bounded). */
  misfire: z.enum(['skip', 'catch-up'], { error: 'must be "skip" or "catch-up"' }).default('skip'),
  maxCatchUp: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(10_000, 'must be at most 10000')
    .optional(),
  /** Data of every tick's event. */
  payload: z.unknown().optional(),
}).refine((config) => config.maxCatchUp === undefined || config.misfire === 'catch-up', {
  message: 'only applies when misfire is "catch-up"',
  path: ['maxCatchUp'],
});
export type CronConfig = z.infer<typeof CronConfigSchema>;
