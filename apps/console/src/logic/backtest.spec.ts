import { decisionCounts, lastRange } from './backtest';

describe('backtest helpers', () => {
  it('lists decisions by count, with their labels, leaving out zeros', () => {
    expect(decisionCounts({ matched: 3, condition_false: 40, deduplicated: 3, error: 0 })).toEqual([
      { outcome: 'condition_false', count: 40, label: 'Condition false', tone: 'muted' },
      { outcome: 'deduplicated', count: 3, label: 'Duplicate', tone: 'muted' },
      { outcome: 'matched', count: 3, label: 'Fired', tone: 'ok' },
    ]);
    expect(decisionCounts({})).toEqual([]);
  });

  it('ends a preset range after now, on a whole minute', () => {
    const now = new Date(2026, 11, 6, 9, 30, 15).getTime();
    expect(lastRange(3_600_000, now)).toEqual({ from: '2026-12-06T08:31', to: '2026-12-06T09:31' });
    const onTheMinute = new Date(2026, 11, 6, 9, 30).getTime();
    expect(lastRange(3_600_000, onTheMinute).to).toBe('2026-12-06T09:31');
  });
});
