import type { Log } from '@flint/common';
import { activeTraceIds } from '@flint/telemetry';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import { parseEnv } from './service-config';

/** Paths pino blanks out wherever they appear: credentials must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-hub-signature"]',
  'req.headers["stripe-signature"]',
  'req.headers["x-api-key"]',
  // Request bodies are not logged today; should that change, a secret's value still must not be.
  'req.body.value',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  'password',
  'secret',
  'token',
];

const LogEnvSchema = z.object({
  FLINT_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});

/**
 * One JSON line per entry with the service name and, inside a span, `trace_id` and `span_id`, so a
 * log line leads to its trace.
 */
export function createServiceLogger(
  service: string,
  env: NodeJS.ProcessEnv,
  destination?: pino.DestinationStream,
): Logger {
  const { FLINT_LOG_LEVEL } = parseEnv(LogEnvSchema, env);
  return pino(
    {
      level: FLINT_LOG_LEVEL,
      base: { service },
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => activeTraceIds(),
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}

/** The service's logger (or a child of it) as the `Log` that Flint's code reports through. */
export function serviceLog(logger: Logger, component: string): Log {
  const child = logger.child({ component });
  return (level, message, fields) => child[level](fields ?? {}, message);
}
