import { logLevel } from 'kafkajs';
import { kafkajsLogCreator, type LogLevel } from './log';

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
