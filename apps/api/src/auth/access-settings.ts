import { parseEnv } from '@flint/service-kit';
import { z } from 'zod';
import type { RateLimit } from './rate-limiter';

export interface AccessSettings {
  bootstrapKey?: string;
  bodyLimitBytes: number;
  rateLimit: RateLimit;
}

const AccessEnvSchema = z.object({
  FLINT_ADMIN_API_KEY: z.string().optional(),
  FLINT_API_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  FLINT_API_RATE_LIMIT_PER_SECOND: z.coerce.number().positive().default(100),
  FLINT_API_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(200),
});

export function accessSettingsFromEnv(env: NodeJS.ProcessEnv): AccessSettings {
  const parsed = parseEnv(AccessEnvSchema, env);
  return {
    bootstrapKey: parsed.FLINT_ADMIN_API_KEY || undefined,
    bodyLimitBytes: parsed.FLINT_API_BODY_LIMIT_BYTES,
    rateLimit: {
      perSecond: parsed.FLINT_API_RATE_LIMIT_PER_SECOND,
      burst: parsed.FLINT_API_RATE_LIMIT_BURST,
    },
  };
}
