import { DEFAULT_MAX_CATCH_UP, misfireLimit, planMisfire } from './misfire-plan';

describe('planMisfire', () => {
  const missed = [300, 100, 200, 400];

  it('skip fires nothing and skips every missed slot', () => {
    expect(planMisfire('skip', missed, DEFAULT_MAX_CATCH_UP)).toEqual({
      fire: [],
      skip: [100, 200, 300, 400],
    });
  });

  it('fire-once fires only the latest missed slot', () => {
    expect(planMisfire('fire-once', missed, DEFAULT_MAX_CATCH_UP)).toEqual({
      fire: [400],
      skip: [100, 200, 300],
    });
  });

  it('catch-up fires every missed slot up to the limit, the latest ones, oldest first', () => {
    expect(planMisfire('catch-up', missed, 10)).toEqual({ fire: [100, 200, 300, 400], skip: [] });
    expect(planMisfire('catch-up', missed, 2)).toEqual({ fire: [300, 400], skip: [100, 200] });
  });

  it('fires a slot once even when it is listed twice', () => {
    expect(planMisfire('catch-up', [100, 100, 200], 10)).toEqual({ fire: [100, 200], skip: [] });
  });

  it('plans nothing without missed slots', () => {
    expect(planMisfire('fire-once', [], 10)).toEqual({ fire: [], skip: [] });
  });
});

describe('misfireLimit', () => {
  it('needs only the latest slot unless catching up', () => {
    expect(misfireLimit('skip', 50)).toBe(1);
    expect(misfireLimit('fire-once', 50)).toBe(1);
    expect(misfireLimit('catch-up', 50)).toBe(50);
  });
});
