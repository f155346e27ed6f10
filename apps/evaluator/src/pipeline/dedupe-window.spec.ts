import { DedupeWindow } from './dedupe-window';

const HOUR = 3_600_000;

describe('DedupeWindow', () => {
  it('calls a key a duplicate within the window of its first event', () => {
    const window = new DedupeWindow(100);
    expect(window.seenUntil('t', 'k', 0)).toBeUndefined();
    window.remember('t', 'k', 0, HOUR);
    expect(window.seenUntil('t', 'k', HOUR - 1)).toBeDefined();
    // A duplicate does not extend the window.
    window.remember('t', 'k', HOUR / 2, HOUR);
    expect(window.seenUntil('t', 'k', HOUR)).toBeUndefined();
    expect(window.seenUntil('other', 'k', 1)).toBeUndefined();
    expect(window.seenUntil('t', 'other', 1)).toBeUndefined();
  });

  it('starts a new window once the old one has passed', () => {
    const window = new DedupeWindow(100);
    window.remember('t', 'k', 0, HOUR);
    window.remember('t', 'k', 2 * HOUR, HOUR);
    expect(window.seenUntil('t', 'k', 3 * HOUR - 1)).toBeDefined();
  });

  it('forgets the oldest keys beyond its capacity and expired keys on prune', () => {
    const window = new DedupeWindow(2);
    window.remember('t', 'a', 0, HOUR);
    window.remember('t', 'b', 0, 2 * HOUR);
    window.remember('t', 'c', 0, 3 * HOUR);
    expect(window.seenUntil('t', 'a', 1)).toBeUndefined();
    expect(window.size).toBe(2);
    expect(window.prune(2 * HOUR)).toBe(1);
    expect(window.seenUntil('t', 'c', 2 * HOUR)).toBeDefined();
    expect(() => new DedupeWindow(0)).toThrow(
      'the dedupe cache needs room for at least one key, got 0',
    );
  });
});
