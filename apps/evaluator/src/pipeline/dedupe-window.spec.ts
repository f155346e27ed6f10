import { DedupeWindow } from './dedupe-window';

const HOUR = 3_600_000;

describe('DedupeWindow', () => {
  it('calls a key a duplicate within the window of its first event', () => {
    const window = new DedupeWindow(100);
    expect(window.isDuplicate('t', 'k', 0)).toBe(false);
    window.remember('t', 'k', 0, HOUR);
    expect(window.isDuplicate('t', 'k', HOUR - 1)).toBe(true);
    // A duplicate does not extend the window.
    window.remember('t', 'k', HOUR / 2, HOUR);
    expect(window.isDuplicate('t', 'k', HOUR)).toBe(false);
    expect(window.isDuplicate('other', 'k', 1)).toBe(false);
    expect(window.isDuplicate('t', 'other', 1)).toBe(false);
  });

  it('starts a new window once the old one has passed', () => {
    const window = new DedupeWindow(100);
    window.remember('t', 'k', 0, HOUR);
    window.remember('t', 'k', 2 * HOUR, HOUR);
    expect(window.isDuplicate('t', 'k', 3 * HOUR - 1)).toBe(true);
  });

  it('forgets the oldest keys beyond its capacity and expired keys on prune', () => {
    const window = new DedupeWindow(2);
    window.remember('t', 'a', 0, HOUR);
    window.remember('t', 'b', 0, 2 * HOUR);
    window.remember('t', 'c', 0, 3 * HOUR);
    expect(window.isDuplicate('t', 'a', 1)).toBe(false);
    expect(window.size).toBe(2);
    expect(window.prune(2 * HOUR)).toBe(1);
    expect(window.isDuplicate('t', 'c', 2 * HOUR)).toBe(true);
    expect(() => new DedupeWindow(0)).toThrow(
      'the dedupe cache needs room for at least one key, got 0',
    );
  });
});
