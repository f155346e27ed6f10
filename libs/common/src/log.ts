export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where Flint's code reports what happens: one entry is a level, a message and structured fields.
 * Services pass their pino logger through `serviceLog` (service-kit); code with nothing better writes
 * JSON lines to stderr (`jsonStderrLog`).
 */
export type Log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** One JSON line per entry on stderr, for code that has no logger of its own. */
export const jsonStderrLog: Log = (level, message, fields) => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`,
  );
};

/** Adds `fields` to every entry, e.g. the source id of everything a source logs. */
export function withFields(log: Log, fields: Record<string, unknown>): Log {
  return (level, message, extra) => log(level, message, { ...fields, ...extra });
}
