import { CronSchedule, IntervalSchedule, ScheduleError, parseSchedule } from './schedule';

const at = (iso: string) => new Date(iso).getTime();
const iso = (slots: number[]) => slots.map((slot) => new Date(slot).toISOString());

describe('parseSchedule', () => {
  it('computes a 5-field expression to the minute', () => {
    const schedule = parseSchedule('*/15 * * * *', 'UTC');
    expect(
      iso(schedule.slotsBetween(at('2024-05-01T10:07:00Z'), at('2024-05-01T11:00:00Z'), 10)),
    ).toEqual([
      '2024-05-01T10:15:00.000Z',
      '2024-05-01T10:30:00.000Z',
      '2024-05-01T10:45:00.000Z',
      '2024-05-01T11:00:00.000Z',
    ]);
  });

  it('computes a 6-field expression to the second', () => {
    const schedule = parseSchedule('*/20 * * * * *', 'UTC');
    expect(new Date(schedule.nextAfter(at('2024-05-01T10:00:00.500Z'))).toISOString()).toBe(
      '2024-05-01T10:00:20.000Z',
    );
  });

  it('treats @every as a fixed interval aligned to the epoch', () => {
    const schedule = parseSchedule('@every 30s', 'Europe/Berlin');
    expect(schedule).toBeInstanceOf(IntervalSchedule);
    expect(
      iso(schedule.slotsBetween(at('2024-05-01T10:00:10Z'), at('2024-05-01T10:01:30Z'), 10)),
    ).toEqual(['2024-05-01T10:00:30.000Z', '2024-05-01T10:01:00.000Z', '2024-05-01T10:01:30.000Z']);
  });

  it('applies macros', () => {
    const schedule = parseSchedule('@daily', 'UTC');
    expect(new Date(schedule.nextAfter(at('2024-05-01T10:00:00Z'))).toISOString()).toBe(
      '2024-05-02T00:00:00.000Z',
    );
  });

  it('computes local times in the given time zone', () => {
    const schedule = parseSchedule('0 9 * * MON-FRI', 'America/New_York');
    // Friday 2024-05-03 09:00 EDT is 13:00 UTC; the next is Monday.
    expect(
      iso(schedule.slotsBetween(at('2024-05-03T00:00:00Z'), at('2024-05-07T00:00:00Z'), 10)),
    ).toEqual(['2024-05-03T13:00:00.000Z', '2024-05-06T13:00:00.000Z']);
  });

  it('rejects an expression cron-parser cannot compute, naming it', () => {
    expect(() => parseSchedule('99 * * * *', 'UTC')).toThrow(ScheduleError);
    expect(() => parseSchedule('99 * * * *', 'UTC')).toThrow(
      'cannot compute "99 * * * *" in time zone "UTC": Constraint error, got value 99 expected range 0-59',
    );
  });
});

describe('CronSchedule across DST changes (Europe/Berlin)', () => {
  it('fires a local time that does not exist on spring-forward day once, shifted by the gap', () => {
    const schedule = new CronSchedule('30 2 * * *', 'Europe/Berlin');
    expect(
      iso(schedule.slotsBetween(at('2024-03-30T00:00:00Z'), at('2024-04-02T00:00:00Z'), 10)),
    ).toEqual([
      '2024-03-30T01:30:00.000Z', // 02:30 CET
      '2024-03-31T01:30:00.000Z', // 02:30 does not exist: 03:30 CEST
      '2024-04-01T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('fires a local time that occurs twice on fall-back day once', () => {
    const schedule = new CronSchedule('30 2 * * *', 'Europe/Berlin');
    expect(
      iso(schedule.slotsBetween(at('2024-10-26T00:00:00Z'), at('2024-10-29T00:00:00Z'), 10)),
    ).toEqual([
      '2024-10-26T00:30:00.000Z', // 02:30 CEST
      '2024-10-27T00:30:00.000Z', // first 02:30 (CEST); the second (CET) does not fire again
      '2024-10-28T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('fires an hourly schedule every real hour through the repeated hour', () => {
    const schedule = new CronSchedule('0 * * * *', 'Europe/Berlin');
    expect(
      iso(schedule.slotsBetween(at('2024-10-26T23:30:00Z'), at('2024-10-27T02:30:00Z'), 10)),
    ).toEqual(['2024-10-27T00:00:00.000Z', '2024-10-27T01:00:00.000Z', '2024-10-27T02:00:00.000Z']);
  });
});

describe('latestSlots', () => {
  it('agrees with walking forward across DST changes', () => {
    const schedule = new CronSchedule('30 2 * * *', 'Europe/Berlin');
    for (const [after, until] of [
      ['2024-03-29T00:00:00Z', '2024-04-02T00:00:00Z'],
      ['2024-10-25T00:00:00Z', '2024-10-27T02:00:00Z'],
    ]) {
      expect(schedule.latestSlots(at(after), at(until), 10).slots).toEqual(
        schedule.slotsBetween(at(after), at(until), 10),
      );
    }
    expect(
      iso(schedule.latestSlots(at('2024-10-25T00:00:00Z'), at('2024-10-27T02:00:00Z'), 10).slots),
    ).toEqual(['2024-10-25T00:30:00.000Z', '2024-10-26T00:30:00.000Z', '2024-10-27T00:30:00.000Z']);
  });

  it('answers for each start of its own when asked again and in turns (it keeps its last answer)', () => {
    const schedule = new CronSchedule('*/10 * * * * *', 'UTC');
    const first = at('2024-05-01T10:00:00Z');
    const later = at('2024-05-01T10:00:25Z');
    for (let round = 0; round < 2; round++) {
      expect(iso([schedule.nextAfter(first)])).toEqual(['2024-05-01T10:00:10.000Z']);
      expect(iso([schedule.nextAfter(later)])).toEqual(['2024-05-01T10:00:30.000Z']);
      expect(schedule.slotsBetween(later, later + 4_000, 10)).toEqual([]);
      expect(iso(schedule.slotsBetween(first, later, 10))).toEqual([
        '2024-05-01T10:00:10.000Z',
        '2024-05-01T10:00:20.000Z',
      ]);
      expect(schedule.slotsBetween(first, later, 0)).toEqual([]);
    }
  });

  it('finds the latest slots of a long window of a dense schedule quickly', () => {
    const schedule = new CronSchedule('* * * * * *', 'UTC');
    const started = Date.now();
    const recent = schedule.latestSlots(at('2024-01-01T00:00:00Z'), at('2024-05-01T00:00:00Z'), 3);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(iso(recent.slots)).toEqual([
      '2024-04-30T23:59:58.000Z',
      '2024-04-30T23:59:59.000Z',
      '2024-05-01T00:00:00.000Z',
    ]);
    expect(recent.more).toBe(true);
  });

  it('gives the latest slots of a window oldest first and says when more were left out', () => {
    for (const schedule of [new CronSchedule('* * * * *', 'UTC'), new IntervalSchedule(60_000)]) {
      const after = at('2024-05-01T10:00:00Z');
      expect(schedule.latestSlots(after, at('2024-05-01T10:10:00Z'), 3)).toEqual({
        slots: [at('2024-05-01T10:08:00Z'), at('2024-05-01T10:09:00Z'), at('2024-05-01T10:10:00Z')],
        more: true,
      });
      expect(schedule.latestSlots(after, at('2024-05-01T10:02:30Z'), 3)).toEqual({
        slots: [at('2024-05-01T10:01:00Z'), at('2024-05-01T10:02:00Z')],
        more: false,
      });
      expect(schedule.latestSlots(after, at('2024-05-01T10:00:30Z'), 3)).toEqual({
        slots: [],
        more: false,
      });
    }
  });

  it('counts a slot equal to the window end and excludes one equal to its start', () => {
    const schedule = new CronSchedule('*/5 * * * * *', 'UTC');
    expect(schedule.latestSlots(at('2024-05-01T10:00:00Z'), at('2024-05-01T10:00:05Z'), 5)).toEqual(
      {
        slots: [at('2024-05-01T10:00:05Z')],
        more: false,
      },
    );
  });
});

describe('IntervalSchedule', () => {
  it('refuses a non-positive interval', () => {
    expect(() => new IntervalSchedule(0)).toThrow(ScheduleError);
  });
});
