import type { LoggerService } from '@nestjs/common';
import { StartupChatterAtDebug } from './nest-startup-chatter';

describe('StartupChatterAtDebug', () => {
  it("moves Nest's start-up messages to debug and passes everything else on", () => {
    const calls: string[] = [];
    const record =
      (level: string) =>
      (message: unknown, ...optional: unknown[]) =>
        calls.push(`${level} ${String(message)} [${optional.join(',')}]`);
    const inner: LoggerService = {
      log: record('log'),
      error: record('error'),
      warn: record('warn'),
      debug: record('debug'),
    };
    const logger = new StartupChatterAtDebug(inner);
    logger.log('Mapped {/api/runs, GET} route', 'RouterExplorer');
    logger.log('api listening', 'flint');
    logger.warn('slow', 'RouterExplorer');
    logger.error('broken', 'trace', 'NestApplication');
    logger.fatal('gone', 'NestFactory');
    expect(calls).toEqual([
      'debug Mapped {/api/runs, GET} route [RouterExplorer]',
      'log api listening [flint]',
      'warn slow [RouterExplorer]',
      'error broken [trace,NestApplication]',
      'error gone [NestFactory]',
    ]);
  });
});
