import { PRIORITY_AGING_SECONDS, startRank } from './priority';

const minutes = (n: number) => n * 60_000;
const at = (offsetMs: number) => new Date(Date.UTC(2026, 0, 1, 12) + offsetMs);
const startOrder = (runs: Record<string, { dueAt: Date; priority: number }>) =>
  Object.entries(runs)
    .sort(
      ([, a], [, b]) =>
        startRank(a.dueAt, a.priority).getTime() - startRank(b.dueAt, b.priority).getTime(),
    )
    .map(([name]) => name);

describe('the priority rule', () => {
  it('moves a run of priority p ahead by p aging steps of one minute', () => {
    expect(PRIORITY_AGING_SECONDS).toBe(60);
    expect(startRank(at(0), 0)).toEqual(at(0));
    expect(startRank(at(0), 3)).toEqual(at(-minutes(3)));
    expect(startRank(at(0), -2)).toEqual(at(minutes(2)));
  });

  it('starts higher priorities first among runs due at about the same time', () => {
    expect(
      startOrder({
        low: { dueAt: at(0), priority: -1 },
        normal: { dueAt: at(1000), priority: 0 },
        urgent: { dueAt: at(2000), priority: 10 },
        high: { dueAt: at(3000), priority: 5 },
      }),
    ).toEqual(['urgent', 'high', 'normal', 'low']);
  });

  it('lets a lower priority go first once it has waited longer than the difference in minutes', () => {
    // Priority 0 due 11 minutes before a priority 10 run: it has waited out the 10-level difference.
    expect(
      startOrder({
        waitedLong: { dueAt: at(0), priority: 0 },
        urgentLater: { dueAt: at(minutes(11)), priority: 10 },
      }),
    ).toEqual(['waitedLong', 'urgentLater']);
    expect(
      startOrder({
        waitedLittle: { dueAt: at(0), priority: 0 },
        urgentLater: { dueAt: at(minutes(9)), priority: 10 },
      }),
    ).toEqual(['urgentLater', 'waitedLittle']);
  });

  it('bounds how long the lowest priority can be passed: 200 minutes across the whole range', () => {
    const lowest = { dueAt: at(0), priority: -100 };
    const highestJustAfter = { dueAt: at(minutes(200) + 1), priority: 100 };
    expect(startOrder({ lowest, highestJustAfter })).toEqual(['lowest', 'highestJustAfter']);
  });
});
