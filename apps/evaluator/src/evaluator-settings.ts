import { parseEnv } from '@flint/service-kit';
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
});

export function evaluatorSettingsFromEnv(env: NodeJS.ProcessEnv): EvaluatorSettings {
  const parsed = parseEnv(EvaluatorEnvSchema, env);
  return {
    groupId: parsed.FLINT_EVALUATOR_GROUP_ID,
    dedupeCacheSize: parsed.FLINT_EVALUATOR_DEDUPE_CACHE_SIZE,
    sweepIntervalMs: parsed.FLINT_EVALUATOR_SWEEP_INTERVAL_MS,
    activityFlushMs: parsed.FLINT_EVALUATOR_ACTIVITY_FLUSH_MS,
    activityRetentionMs: parsed.FLINT_ACTIVITY_RETENTION_HOURS * 3_600_000,
    recentEventsPerSource: parsed.FLINT_ACTIVITY_RECENT_EVENTS,
  };
}
