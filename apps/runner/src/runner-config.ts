import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { parseEnv } from '@flint/service-kit';
import { z } from 'zod';

const positiveMs = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const RunnerEnvSchema = z.object({
  FLINT_RUNNER_GROUP_ID: z.string().min(1).default('flint-runner'),
  FLINT_RUNNER_POLL_INTERVAL_MS: positiveMs(1000),
  // An attempt holds its slot through its database writes too, and most attempts mostly wait (on
  // the database, on a target's answer): at 50 the slots, not the work, capped a runner near
  // 300 runs/s in the benchmark.
  FLINT_RUNNER_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(250),
  FLINT_RUNNER_LEASE_GRACE_MS: positiveMs(30_000),
  FLINT_RUNNER_DRAIN_TIMEOUT_MS: positiveMs(10_000),
  FLINT_RUNNER_KAFKA_TARGET_TIMEOUT_MS: positiveMs(30_000),
  FLINT_WORKFLOWS_DIR: z.string().min(1).optional(),
  FLINT_RUN_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  FLINT_CALLBACK_BASE_URL: z
    .url({ error: 'must be an http(s) URL' })
    .default('http://127.0.0.1:8080'),
  FLINT_DELETED_SOURCE_STATE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  FLINT_DEAD_LETTER_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
});

export interface RunnerConfig {
  /** Consumer group of every runner replica on the runs topic. */
  groupId: string;
  /** Who holds a run's lease: unique per runner process, so a restarted runner is a new holder. */
  holder: string;
  /** How often the scheduler looks for due runs when nothing woke it earlier. */
  pollIntervalMs: number;
  /** Most attempts one runner makes at once. */
  maxInFlight: number;
  /** Added to an attempt's timeout to give its lease; after that the run counts as abandoned. */
  leaseGraceMs: number;
  /** How long shutdown waits for attempts in flight before leaving them to lease expiry. */
  drainTimeoutMs: number;
  /** Longest a `kafka` target's produce may take. */
  kafkaTargetTimeoutMs: number;
  /** The folder of user workflows loaded at start, besides the built-in ones. */
  workflowsDir?: string;
  /** Finished runs (and their attempts) are deleted this long after they finished. */
  runRetentionMs: number;
  /** The providers' rows about a deleted source are deleted this long after the source was. */
  deletedSourceStateRetentionMs: number;
  /** Dead letters are deleted this long after they failed. */
  deadLetterRetentionMs: number;
  /** The API as remote workflows reach it, for `completion: callback` targets. */
  callbackBaseUrl: string;
}

export function runnerConfigFromEnv(env: NodeJS.ProcessEnv): RunnerConfig {
  const parsed = parseEnv(RunnerEnvSchema, env);
  return {
    groupId: parsed.FLINT_RUNNER_GROUP_ID,
    holder: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
    pollIntervalMs: parsed.FLINT_RUNNER_POLL_INTERVAL_MS,
    maxInFlight: parsed.FLINT_RUNNER_MAX_IN_FLIGHT,
    leaseGraceMs: parsed.FLINT_RUNNER_LEASE_GRACE_MS,
    drainTimeoutMs: parsed.FLINT_RUNNER_DRAIN_TIMEOUT_MS,
    kafkaTargetTimeoutMs: parsed.FLINT_RUNNER_KAFKA_TARGET_TIMEOUT_MS,
    ...(parsed.FLINT_WORKFLOWS_DIR === undefined
      ? {}
      : { workflowsDir: parsed.FLINT_WORKFLOWS_DIR }),
    runRetentionMs: parsed.FLINT_RUN_RETENTION_DAYS * 24 * 3600 * 1000,
    deletedSourceStateRetentionMs:
      parsed.FLINT_DELETED_SOURCE_STATE_RETENTION_DAYS * 24 * 3600 * 1000,
    deadLetterRetentionMs: parsed.FLINT_DEAD_LETTER_RETENTION_DAYS * 24 * 3600 * 1000,
    callbackBaseUrl: parsed.FLINT_CALLBACK_BASE_URL,
  };
}
