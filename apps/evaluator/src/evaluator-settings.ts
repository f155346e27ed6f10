import { parseEnv } from '@flint/service-kit';
import type { ArchiveRetentionPolicy } from '@flint/store';
import { z } from 'zod';

export interface EvaluatorSettings {
  /** Consumer group of the events topic; replicas share it and split the partitions. */
  groupId: string;
  /** Dedupe keys kept in memory across all triggers. */
  dedupeCacheSize: number;
  /** How often expired compound matches, kept batch ids and dedupe keys are cleaned up. */
  sweepIntervalMs: number;
  /** How often per-trigger counts and recent events are written to the database. */
  activityFlushMs: number;
  /** How long per-minute trigger counts are kept. */
  activityRetentionMs: number;
  /** Recent events kept per source. */
  recentEventsPerSource: number;
  /** The event archive, or undefined when it is switched off. */
  archive?: ArchiveRetentionPolicy & {
    /** How often retention is applied. */
    pruneIntervalMs: number;
  };
}

const EvaluatorEnvSchema = z.object({
  FLINT_EVALUATOR_GROUP_ID: z.string().min(1).max(255).default('flint-evaluator'),
  FLINT_EVALUATOR_DEDUPE_CACHE_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(100_000_000)
    .default(1_000_000),
  FLINT_EVALUATOR_SWEEP_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(100)
    .max(3_600_000)
    .default(10_000),
  FLINT_EVALUATOR_ACTIVITY_FLUSH_MS: z.coerce.number().int().min(100).max(600_000).default(5000),
  FLINT_ACTIVITY_RETENTION_HOURS: z.coerce.number().int().min(1).max(8760).default(168),
  FLINT_ACTIVITY_RECENT_EVENTS: z.coerce.number().int().min(1).max(10_000).default(100),
  FLINT_EVENT_ARCHIVE: z.enum(['on', 'off']).default('on'),
  FLINT_EVENT_ARCHIVE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  FLINT_EVENT_ARCHIVE_OWNER_RETENTION_DAYS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const days = new Map<string, number>();
      for (const entry of text.split(',').filter((part) => part.trim() !== '')) {
        const match = /^\s*([a-z0-9][a-z0-9-]*)\s*=\s*(\d{1,4})\s*$/.exec(entry);
        if (!match || Number(match[2]) < 1) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not owner=days (like "payments=30,sandbox=1")`,
          });
          return z.NEVER;
        }
        days.set(match[1] as string, Number(match[2]));
      }
      return days;
    }),
  FLINT_EVENT_ARCHIVE_MAX_BYTES: z.coerce.number().int().min(0).default(0),
  FLINT_EVENT_ARCHIVE_PRUNE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(86_400_000)
    .default(600_000),
});

const DAY_MS = 24 * 3600 * 1000;

export function evaluatorSettingsFromEnv(env: NodeJS.ProcessEnv): EvaluatorSettings {
  const parsed = parseEnv(EvaluatorEnvSchema, env);
  return {
    groupId: parsed.FLINT_EVALUATOR_GROUP_ID,
    dedupeCacheSize: parsed.FLINT_EVALUATOR_DEDUPE_CACHE_SIZE,
    sweepIntervalMs: parsed.FLINT_EVALUATOR_SWEEP_INTERVAL_MS,
    activityFlushMs: parsed.FLINT_EVALUATOR_ACTIVITY_FLUSH_MS,
    activityRetentionMs: parsed.FLINT_ACTIVITY_RETENTION_HOURS * 3_600_000,
    recentEventsPerSource: parsed.FLINT_ACTIVITY_RECENT_EVENTS,
    ...(parsed.FLINT_EVENT_ARCHIVE === 'on' && {
      archive: {
        retentionMs: parsed.FLINT_EVENT_ARCHIVE_RETENTION_DAYS * DAY_MS,
        ownerRetentionMs: new Map(
          [...parsed.FLINT_EVENT_ARCHIVE_OWNER_RETENTION_DAYS].map(([owner, days]) => [
            owner,
            days * DAY_MS,
          ]),
        ),
        maxBytes: parsed.FLINT_EVENT_ARCHIVE_MAX_BYTES,
        deleteBatchSize: 1000,
        pruneIntervalMs: parsed.FLINT_EVENT_ARCHIVE_PRUNE_INTERVAL_MS,
      },
    }),
  };
}
