import { ConsoleLoginLinks } from './console-login';

describe('ConsoleLoginLinks', () => {
  let now: number;
  let links: ConsoleLoginLinks;

  beforeEach(() => {
    now = 1_000_000;
    links = new ConsoleLoginLinks(() => now);
  });

  it('trades a token for its key exactly once', () => {
    const token = links.issue('the-admin-key');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(links.redeem(token)).toBe('the-admin-key');
    expect(links.redeem(token)).toBeUndefined();
  });

  it('refuses an unknown or expired token', () => {
    const token = links.issue('k', 1000);
    expect(links.redeem(`${token}x`)).toBeUndefined();
    expect(links.redeem('')).toBeUndefined();
    now += 1000;
    expect(links.redeem(token)).toBeUndefined();
  });

  it('keeps tokens apart', () => {
    const a = links.issue('key-a');
    const b = links.issue('key-b');
    expect(a).not.toBe(b);
    expect(links.redeem(b)).toBe('key-b');
    expect(links.redeem(a)).toBe('key-a');
  });
});
