import { parseEnv } from '@flint/service-kit';
import { z } from 'zod';
import { type CronTimings, DEFAULT_CRON_TIMINGS } from './firing/cron-source-runner';

const milliseconds = z.coerce.number().int().min(0);

/** The cron service's tuning from the environment; every variable is optional. */
export function cronTimingsFromEnv(env: NodeJS.ProcessEnv): Partial<CronTimings> {
  const parsed = parseEnv(
    z
      .object({
        FLINT_CRON_LATE_TOLERANCE_MS: milliseconds.default(DEFAULT_CRON_TIMINGS.lateToleranceMs),
        FLINT_CRON_CLAIM_TIMEOUT_MS: milliseconds
          .min(1000)
          .default(DEFAULT_CRON_TIMINGS.claimTimeoutMs),
        FLINT_CRON_CLAIM_AHEAD_MS: milliseconds.default(DEFAULT_CRON_TIMINGS.claimAheadMs),
      })
      .refine((vars) => vars.FLINT_CRON_CLAIM_AHEAD_MS < vars.FLINT_CRON_CLAIM_TIMEOUT_MS, {
        path: ['FLINT_CRON_CLAIM_AHEAD_MS'],
        message: 'must be below FLINT_CRON_CLAIM_TIMEOUT_MS',
      }),
    env,
  );
  return {
    lateToleranceMs: parsed.FLINT_CRON_LATE_TOLERANCE_MS,
    claimTimeoutMs: parsed.FLINT_CRON_CLAIM_TIMEOUT_MS,
    claimAheadMs: parsed.FLINT_CRON_CLAIM_AHEAD_MS,
  };
}
