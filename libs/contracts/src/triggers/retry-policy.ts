import { z } from 'zod';
import { strictObject } from '../strict';

export const BackoffSchema = strictObject({
  initialMs: z
    .number()
    .int('must be a whole number of milliseconds')
    .min(1, 'must be at least 1')
    .default(1000),
  maxMs: z
    .number()
    .int('must be a whole number of milliseconds')
    .min(1, 'must be at least 1')
    .max(86_400_000, 'must be at most 86400000 (a day)')
    .default(60_000),
  multiplier: z.number().min(1, 'must be at least 1').max(10, 'must be at most 10').default(2),
  /** Fraction of each delay that is randomized, so retries of many runs spread out. */
  jitter: z
    .number()
    .min(0, 'must be between 0 and 1')
    .max(1, 'must be between 0 and 1')
    .default(0.2),
}).refine((backoff) => backoff.maxMs >= backoff.initialMs, {
  message: 'must be at least initialMs',
  path: ['maxMs'],
});

/** How the runner retries starting a workflow before the run is FAILED. */
export const RetryPolicySchema = strictObject({
  maxAttempts: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be between 1 and 100')
    .max(100, 'must be between 1 and 100')
    .default(3),
  backoff: BackoffSchema.prefault({}),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;
export type RetryPolicyInput = z.input<typeof RetryPolicySchema>;
