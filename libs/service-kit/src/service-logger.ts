import type { Log } from '@flint/common';
import { activeTraceIds } from '@flint/telemetry';
import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
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
  FLINT_LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export type LogFormat = 'json' | 'pretty';

/**
 * JSON lines for machines (containers, log shippers, a pipe), one readable line per entry for a
 * person at a terminal: `FLINT_LOG_FORMAT` when set, else pretty only when the logs go to stdout and
 * stdout is a terminal.
 */
export function logFormat(
  env: NodeJS.ProcessEnv,
  output: { toStdout: boolean; stdoutIsTty: boolean },
): LogFormat {
  const { FLINT_LOG_FORMAT } = parseEnv(LogEnvSchema, env);
  return FLINT_LOG_FORMAT ?? (output.toStdout && output.stdoutIsTty ? 'pretty' : 'json');
}

/**
 * One JSON line per entry with the service name and, inside a span, `trace_id` and `span_id`, so a
 * log line leads to its trace; or, in the pretty format (`logFormat`), a line a person reads:
 * time, level, service, message, and the entry's other fields below it.
 */
export function createServiceLogger(
  service: string,
  env: NodeJS.ProcessEnv,
  destination?: pino.DestinationStream,
): Logger {
  const { FLINT_LOG_LEVEL } = parseEnv(LogEnvSchema, env);
  const stdoutIsTty = Boolean(process.stdout.isTTY);
  const format = logFormat(env, { toStdout: destination === undefined, stdoutIsTty });
  const output = format === 'pretty' ? prettyStream(destination, stdoutIsTty) : destination;
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
    output,
  );
}

function prettyStream(
  destination: pino.DestinationStream | undefined,
  colorize: boolean,
): pino.DestinationStream {
  return pinoPretty({
    destination: destination ?? 1,
    // In-process and synchronous: no worker thread per service, and nothing lost at exit.
    sync: true,
    colorize: destination === undefined && colorize,
    messageKey: 'message',
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,component,context,trace_id,span_id',
    messageFormat:
      '{service}{if component}/{component}{end}{if context} ({context}){end}: {message}',
  });
}

/** The service's logger (or a child of it) as the `Log` that Flint's code reports through. */
export function serviceLog(logger: Logger, component: string): Log {
  const child = logger.child({ component });
  return (level, message, fields) => child[level](fields ?? {}, message);
}
