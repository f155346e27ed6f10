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
 * What a broker answers while a cluster, or a client joining it, is still starting: coordinators
 * loading or not yet chosen, partition leaders being elected, topics another client just created.
 * kafkajs retries all of it, and it passes within seconds.
 */
const STARTUP_NOISE: readonly RegExp[] = [
  /group coordinator is not available/i,
  /coordinator is loading/i,
  /is not the correct coordinator/i,
  /not the leader for that topic-partition/i,
  /no leader for this topic-partition/i,
  /leadership election/i,
  /topic creation errors/i,
];

/** How long start-up noise may last before it is worth a warning: it no longer looks like start-up. */
export const STARTUP_NOISE_GRACE_MS = 30_000;

/**
 * Start-up noise (`STARTUP_NOISE`) is logged at debug while it is young, and at its own level only
 * once the same kind has kept coming for `STARTUP_NOISE_GRACE_MS`; a kind that stops for as long
 * starts over. Everything else passes unchanged.
 */
export class StartupNoiseFilter {
  private readonly since = new Map<number, { first: number; last: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  level(level: LogLevel, text: string): LogLevel {
    const kind = STARTUP_NOISE.findIndex((pattern) => pattern.test(text));
    if (kind === -1 || level === 'debug') return level;
    const now = this.now();
    const seen = this.since.get(kind);
    if (seen === undefined || now - seen.last > STARTUP_NOISE_GRACE_MS) {
      this.since.set(kind, { first: now, last: now });
      return 'debug';
    }
    seen.last = now;
    return now - seen.first >= STARTUP_NOISE_GRACE_MS ? level : 'debug';
  }
}

/**
 * Routes kafkajs's own log entries into a `Log`. kafkajs logs every error response from a
 * broker, and every failed attempt it is about to retry, as an error (a coordinator still loading,
 * a leader moving); those become warnings, and a request that finally fails surfaces as the
 * caller's error instead. The burst of them at every start is debug unless it persists
 * (`StartupNoiseFilter`).
 */
export function kafkajsLogCreator(log: Log, noise = new StartupNoiseFilter()): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...fields } = entry;
      let mapped = LEVELS[level] ?? 'info';
      const retrying =
        (namespace === 'Connection' && message.startsWith('Response ')) || 'retryTime' in fields;
      if (mapped === 'error' && retrying) mapped = 'warn';
      const error = typeof fields.error === 'string' ? fields.error : '';
      mapped = noise.level(mapped, `${message} ${error}`);
      log(mapped, `kafkajs ${namespace}: ${message}`, withoutSecrets(fields));
    };
}
