import { parseEnv } from '@flint/service-kit';
import { z } from 'zod';
import { DEFAULT_MAX_PAGES_PER_POLL } from './polling/poll-job';

export interface PollerSettings {
  maxConcurrencyPerHost: number;
  maxPagesPerPoll: number;
  /** The folder of poll functions loaded at start. */
  functionsDir?: string;
}

/** The poller service's tuning from the environment; every variable is optional. */
export function pollerSettingsFromEnv(env: NodeJS.ProcessEnv): PollerSettings {
  const parsed = parseEnv(
    z.object({
      FLINT_POLLER_MAX_CONCURRENCY_PER_HOST: z.coerce.number().int().min(1).default(4),
      FLINT_POLLER_MAX_PAGES_PER_POLL: z.coerce
        .number()
        .int()
        .min(1)
        .default(DEFAULT_MAX_PAGES_PER_POLL),
      FLINT_FUNCTIONS_DIR: z.string().min(1).optional(),
    }),
    env,
  );
  return {
    maxConcurrencyPerHost: parsed.FLINT_POLLER_MAX_CONCURRENCY_PER_HOST,
    maxPagesPerPoll: parsed.FLINT_POLLER_MAX_PAGES_PER_POLL,
    ...(parsed.FLINT_FUNCTIONS_DIR === undefined
      ? {}
      : { functionsDir: parsed.FLINT_FUNCTIONS_DIR }),
  };
}
