import { problemsOf } from '../spec-helpers';
import { CronConfigSchema, cronScheduleProblem, everyIntervalMs } from './cron-config';

describe('CronConfigSchema', () => {
  it('accepts @every intervals and macros', () => {
    for (const schedule of ['@every 30s', '@every 1h30m', '@daily', '@hourly', '@weekdays']) {
      expect(CronConfigSchema.parse({ schedule }).schedule).toBe(schedule);
    }
  });

  it('rejects an unknown shorthand, naming the valid ones', () => {
    expect(problemsOf(CronConfigSchema, { schedule: '@fortnightly' })).toEqual([
      {
        path: 'schedule',
        message:
          'unknown shorthand "@fortnightly"; use "@every <duration>" (like "@every 30s") or one of: @yearly, @annually, @monthly, @weekly, @daily, @hourly, @minutely, @secondly, @weekdays, @weekends',
      },
    ]);
  });

  it('rejects @every without a valid duration or with a fraction of a second', () => {
    expect(problemsOf(CronConfigSchema, { schedule: '@every soon' })).toEqual([
      {
        path: 'schedule',
        message:
          '"@every" needs a duration: invalid duration "soon": must be a duration like "10s", "30m", "24h" or "1h30m" (units: ms, s, m, h, d) and longer than zero',
      },
    ]);
    expect(problemsOf(CronConfigSchema, { schedule: '@every 1500ms' })).toEqual([
      { path: 'schedule', message: '"@every" needs a whole number of seconds (like "@every 30s")' },
    ]);
  });

  it('rejects values out of range with the parser reason', () => {
    expect(cronScheduleProblem('61 * * * *')).toBe(
      'is not a valid cron expression: Constraint error, got value 61 expected range 0-59',
    );
    expect(cronScheduleProblem('0 0 31 2-1 *')).toMatch(/^is not a valid cron expression: /);
  });

  it('accepts fire-once and a jitter up to an hour', () => {
    const config = CronConfigSchema.parse({
      schedule: '0 * * * *',
      misfire: 'fire-once',
      jitter: '30s',
    });
    expect(config).toEqual({
      schedule: '0 * * * *',
      timezone: 'UTC',
      misfire: 'fire-once',
      jitter: '30s',
    });
  });

  it('rejects a jitter longer than an hour or not a duration', () => {
    expect(problemsOf(CronConfigSchema, { schedule: '* * * * *', jitter: '2h' })).toEqual([
      { path: 'jitter', message: 'must be at most 1h' },
    ]);
    expect(problemsOf(CronConfigSchema, { schedule: '* * * * *', jitter: 5 })).toEqual([
      { path: 'jitter', message: 'must be a string, not a number' },
    ]);
  });

  it('only allows maxCatchUp with catch-up', () => {
    expect(
      problemsOf(CronConfigSchema, { schedule: '* * * * *', misfire: 'fire-once', maxCatchUp: 2 }),
    ).toEqual([{ path: 'maxCatchUp', message: 'only applies when misfire is "catch-up"' }]);
  });
});

describe('everyIntervalMs', () => {
  it('gives the interval of @every and nothing for cron expressions', () => {
    expect(everyIntervalMs('@every 30s')).toBe(30_000);
    expect(everyIntervalMs(' @every 2m ')).toBe(120_000);
    expect(everyIntervalMs('*/5 * * * *')).toBeUndefined();
    expect(everyIntervalMs('@daily')).toBeUndefined();
  });
});
