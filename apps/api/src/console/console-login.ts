import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a login link works: long enough to click it after `npm start`, not long enough to matter. */
export const LOGIN_LINK_TTL_MS = 15 * 60_000;

interface Pending {
  tokenHash: Buffer;
  key: string;
  expiresAt: number;
}

/**
 * One-time login links for the console. Whoever starts the api with a key in hand (the local stack,
 * with its admin key) asks for a token and prints a link carrying it in the URL fragment, which
 * browsers never send to a server, so it reaches no access log or proxy. The console trades the
 * token for the key once (`POST /api/console/login`) and keeps the key in its session; the token
 * then works no more, and an unused one expires. The key itself never appears in a URL, so it lands
 * in no terminal scrollback, shell history or browser history. Tokens live in this process's memory
 * only: a replica that did not issue one cannot redeem it, and a restart forgets them all.
 */
export class ConsoleLoginLinks {
  private readonly pending: Pending[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** A token for `key`, valid once within `ttlMs`. */
  issue(key: string, ttlMs = LOGIN_LINK_TTL_MS): string {
    this.forgetExpired();
    const token = randomBytes(32).toString('base64url');
    this.pending.push({ tokenHash: hash(token), key, expiresAt: this.now() + ttlMs });
    return token;
  }

  /** The key the token was issued for, once; undefined for an unknown, used or expired token. */
  redeem(token: string): string | undefined {
    this.forgetExpired();
    const presented = hash(token);
    const index = this.pending.findIndex((p) => timingSafeEqual(p.tokenHash, presented));
    if (index < 0) return undefined;
    const [redeemed] = this.pending.splice(index, 1);
    return redeemed?.key;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (let i = this.pending.length - 1; i >= 0; i--) {
      if (this.pending[i]!.expiresAt <= now) this.pending.splice(i, 1);
    }
  }
}

function hash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
