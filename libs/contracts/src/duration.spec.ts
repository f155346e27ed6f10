import { DurationSchema, parseDuration } from './duration';
import { problemsOf } from './spec-helpers';

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['10s', 10_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['1m30s500ms', 90_500],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '24', 'h', '1.5h', '-5m', '10 s', '1w', '0s', '0h0m', ' 5m'])(
    'rejects %j',
    (text) => {
      expect(() => parseDuration(text)).toThrow(
        `invalid duration ${JSON.stringify(text)}: must be a duration like "10s", "30m", "24h" or "1h30m" (units: ms, s, m, h, d) and longer than zero`,
      );
    },
  );
});

describe('DurationSchema', () => {
  it('keeps the duration as written', () => {
    expect(DurationSchema.parse('1h30m')).toBe('1h30m');
  });

  it('gives one clear message for a bad or zero duration', () => {
    const message =
      'must be a duration like "10s", "30m", "24h" or "1h30m" (units: ms, s, m, h, d) and longer than zero';
    expect(problemsOf(DurationSchema, '3 days')).toEqual([{ path: '', message }]);
    expect(problemsOf(DurationSchema, '0m')).toEqual([{ path: '', message }]);
    expect(problemsOf(DurationSchema, 60)).toEqual([
      { path: '', message: 'must be a string, not a number' },
    ]);
  });
});
