import type { Backoff } from '@flint/common';
import { parseEnv } from '@flint/service-kit';
import { z } from 'zod';

const milliseconds = z.coerce.number().int().min(1);

/**
 * Between a source's reconnection attempts (docs/configuration.md): from the first delay doubling to
 * the cap, with jitter. Both optional; the first may not exceed the cap.
 */
export function reconnectBackoffFromEnv(env: NodeJS.ProcessEnv): Backoff {
  const parsed = parseEnv(
    z
      .object({
        FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS: milliseconds.default(500),
        FLINT_SUBSCRIBER_RECONNECT_MAX_MS: milliseconds.default(30_000),
      })
      .refine(
        (vars) =>
          vars.FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS <= vars.FLINT_SUBSCRIBER_RECONNECT_MAX_MS,
        {
          path: ['FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS'],
          message: 'must not exceed FLINT_SUBSCRIBER_RECONNECT_MAX_MS',
        },
      ),
    env,
  );
  return {
    initialMs: parsed.FLINT_SUBSCRIBER_RECONNECT_INITIAL_MS,
    maxMs: parsed.FLINT_SUBSCRIBER_RECONNECT_MAX_MS,
  };
}
