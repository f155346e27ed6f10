import { logLevel } from 'kafkajs';
import {
  kafkajsLogCreator,
  type LogLevel,
  STARTUP_NOISE_GRACE_MS,
  StartupNoiseFilter,
} from './log';

function capture() {
  const entries: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
  const logEntry = kafkajsLogCreator((level, message, fields) =>
    entries.push({ level, message, fields }),
  )(logLevel.WARN);
  return { entries, logEntry };
}

describe('kafkajsLogCreator', () => {
  it('passes kafkajs entries on with their level, namespace and fields', () => {
    const { entries, logEntry } = capture();
    logEntry({
      namespace: 'Consumer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 'now', message: 'Crash: boom', groupId: 'g1' },
    });
    expect(entries).toEqual([
      { level: 'error', message: 'kafkajs Consumer: Crash: boom', fields: { groupId: 'g1' } },
    ]);
  });

  it('reports failures kafkajs is about to retry as warnings', () => {
    const { entries, logEntry } = capture();
    logEntry({
      namespace: 'Producer',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 'now', message: 'Failed to send messages', retryCount: 0, retryTime: 50 },
    });
    logEntry({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: { timestamp: 'now', message: 'Response GroupCoordinator(key: 10, version: 2)' },
    });
    expect(entries.map((e) => e.level)).toEqual(['warn', 'warn']);
  });

  it('drops fields that could carry credentials', () => {
    const { entries, logEntry } = capture();
    logEntry({
      namespace: 'Connection',
      level: logLevel.WARN,
      label: 'WARN',
      log: {
        timestamp: 'now',
        message: 'x',
        broker: 'b:9092',
        sasl: { password: 'p' },
        password: 'p',
      },
    });
    expect(entries[0]!.fields).toEqual({ broker: 'b:9092' });
  });
});

describe('start-up noise', () => {
  const coordinator = (logEntry: ReturnType<typeof capture>['logEntry']) =>
    logEntry({
      namespace: 'Connection',
      level: logLevel.ERROR,
      label: 'ERROR',
      log: {
        timestamp: 'now',
        message: 'Response FindCoordinator(key: 10, version: 2)',
        error: 'The group coordinator is not available',
      },
    });

  it('logs the usual start-up warnings at debug, and at warn once they persist past the grace', () => {
    let now = 0;
    const entries: LogLevel[] = [];
    const logEntry = kafkajsLogCreator(
      (level) => entries.push(level),
      new StartupNoiseFilter(() => now),
    )(logLevel.DEBUG);
    coordinator(logEntry);
    now = 10_000;
    coordinator(logEntry);
    now = STARTUP_NOISE_GRACE_MS + 1_000;
    coordinator(logEntry);
    expect(entries).toEqual(['debug', 'debug', 'warn']);
  });

  it('starts over when a kind of noise stops for the grace period, and leaves other entries alone', () => {
    let now = 0;
    const filter = new StartupNoiseFilter(() => now);
    const leader = 'This server is not the leader for that topic-partition';
    expect(filter.level('warn', leader)).toBe('debug');
    now = 20_000;
    expect(filter.level('warn', leader)).toBe('debug');
    now = 20_000 + STARTUP_NOISE_GRACE_MS + 1;
    expect(filter.level('warn', leader)).toBe('debug');
    expect(filter.level('error', 'Crash: KafkaJSNumberOfRetriesExceeded')).toBe('error');
    expect(filter.level('warn', 'Connection timeout')).toBe('warn');
    // Each kind has its own clock: a new kind after a long-lived one is still young.
    now += STARTUP_NOISE_GRACE_MS;
    expect(filter.level('warn', leader)).toBe('warn');
    expect(
      filter.level('warn', 'The coordinator is loading and hence can’t process requests'),
    ).toBe('debug');
  });
});
