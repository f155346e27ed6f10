import { logLevel, type logCreator } from 'kafkajs';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where the Kafka layer reports what happens; services pass their structured logger. */
export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** One JSON line per entry on stderr, for code that has no logger of its own. */
export const jsonStderrLog: Log = (level, message, fields) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`,
  );
};

const SECRET_FIELD = /password|secret|token|credential|sasl/i;

/** Drops fields that could carry credentials, so nothing kafkajs adds to an entry can leak them. */
export function withoutSecrets(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => !SECRET_FIELD.test(key)));
}

const LEVELS: Partial<Record<logLevel, LogLevel>> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Routes kafkajs's own log entries into a `Log`. kafkajs logs every error response from a
 * broker, and every failed attempt it is about to retry, as an error (a coordinator still loading,
 * a leader moving); those become warnings, and a request that finally fails surfaces as the
 * caller's error instead.
 */
export function kafkajsLogCreator(log: Log): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      let mapped = LEVELS[level] ?? 'info';
      const retrying =
        (namespace === 'Connection' && message.startsWith('Response ')) || 'retryTime' in fields;
      if (mapped === 'error' && retrying) mapped = 'warn';
      log(mapped, `kafkajs ${namespace}: ${message}`, withoutSecrets(fields));
    };
}
