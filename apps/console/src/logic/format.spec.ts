import {
  attempts,
  compact,
  counted,
  duration,
  isoToLocal,
  localToIso,
  perSecond,
  rate,
  timeAgo,
} from './format';

describe('formatting for people', () => {
  const now = Date.parse('2026-05-01T12:00:00Z');

  it('says how long ago', () => {
    expect(timeAgo('2026-05-01T11:59:58Z', now)).toBe('just now');
    expect(timeAgo('2026-05-01T11:59:30Z', now)).toBe('30 s ago');
    expect(timeAgo('2026-05-01T11:57:00Z', now)).toBe('3 min ago');
    expect(timeAgo('2026-05-01T09:00:00Z', now)).toBe('3 h ago');
    expect(timeAgo('2026-04-28T12:00:00Z', now)).toBe('3 d ago');
    expect(timeAgo('2026-05-01T12:10:00Z', now)).toBe('in 10 min');
    expect(timeAgo(undefined, now)).toBe('—');
  });

  it('writes durations, rates and counts short', () => {
    expect(duration(850)).toBe('850 ms');
    expect(duration(1234)).toBe('1.2 s');
    expect(duration(184_000)).toBe('3 min 4 s');
    expect(duration(7_500_000)).toBe('2 h 5 min');
    expect(perSecond(0)).toBe('0');
    expect(perSecond(3)).toBe('0.05');
    expect(perSecond(90)).toBe('1.5');
    expect(perSecond(60_000)).toBe('1,000');
    expect(rate(0)).toEqual({ value: '0', unit: '/s' });
    expect(rate(0.1)).toEqual({ value: '0.10', unit: '/min' });
    expect(rate(4)).toEqual({ value: '4.0', unit: '/min' });
    expect(rate(120)).toEqual({ value: '2.0', unit: '/s' });
    expect(compact(1234)).toBe('1,234');
    expect(compact(12_345)).toBe('12.3k');
    expect(compact(4_500_000)).toBe('4.5M');
  });

  it('counts with the noun in the number it needs', () => {
    expect(counted(0, 'run')).toBe('0 runs');
    expect(counted(1, 'failure')).toBe('1 failure');
    expect(counted(12_345, 'event')).toBe('12.3k events');
  });

  it('says when a failed run was not retried instead of "1 of 3"', () => {
    const error = { type: 'PaymentDeclinedError', message: 'declined' };
    expect(attempts({ status: 'FAILED', attempts: 1, maxAttempts: 3, error })).toBe(
      '1 (not retried: PaymentDeclinedError is final)',
    );
    expect(attempts({ status: 'FAILED', attempts: 3, maxAttempts: 3, error })).toBe('3 of 3');
    expect(attempts({ status: 'STARTED', attempts: 1, maxAttempts: 3 })).toBe('1 of 3');
  });

  it('turns datetime-local values into instants and back', () => {
    const local = '2026-12-06T09:30';
    const iso = localToIso(local);
    expect(iso).toBe(new Date(2026, 11, 6, 9, 30).toISOString());
    expect(isoToLocal(iso)).toBe(local);
    expect(localToIso('')).toBeUndefined();
    expect(localToIso('soon')).toBeUndefined();
    expect(isoToLocal(undefined)).toBe('');
  });
});
