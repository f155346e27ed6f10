import { resolve } from 'node:path';
import type { ConsoleSettings } from '@flint/contracts';
import { parseEnv } from '@flint/service-kit';
import { z } from 'zod';

/** The api's settings for the web console it serves. */
export interface ConsoleConfig {
  /** The folder of the built console (`index.html` and `assets/`). */
  dir: string;
  /** What `GET /api/console/settings` tells the console. */
  settings: ConsoleSettings;
}

const ConsoleEnvSchema = z.object({
  FLINT_CONSOLE_DIR: z.string().min(1).default('dist/console'),
  FLINT_TRACE_URL_TEMPLATE: z
    .string()
    .refine((template) => template.includes('{traceId}'), 'must contain {traceId}')
    .refine((template) => /^https?:\/\//.test(template), 'must be an http:// or https:// URL')
    .optional(),
  FLINT_WEBHOOK_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .optional(),
});

export function consoleConfigFromEnv(env: NodeJS.ProcessEnv): ConsoleConfig {
  const parsed = parseEnv(ConsoleEnvSchema, env);
  return {
    // Relative to the working directory, as `npm start`, the tests and the container all run from
    // the repository (or image) root where `dist/` is.
    dir: resolve(parsed.FLINT_CONSOLE_DIR),
    settings: {
      ...(parsed.FLINT_TRACE_URL_TEMPLATE === undefined
        ? {}
        : { traceUrlTemplate: parsed.FLINT_TRACE_URL_TEMPLATE }),
      ...(parsed.FLINT_WEBHOOK_PUBLIC_URL === undefined
        ? {}
        : { webhookBaseUrl: parsed.FLINT_WEBHOOK_PUBLIC_URL.replace(/\/+$/, '') }),
    },
  };
}
