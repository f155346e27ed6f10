import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented API key with the bootstrap admin key in constant time. Both are hashed first so
 * the comparison does not leak the key's length either.
 */
export class AdminKeyVerifier {
  private readonly expected: Buffer | undefined;

  constructor(adminKey: string | undefined) {
    this.expected = adminKey ? digest(adminKey) : undefined;
  }

  get configured(): boolean {
    return this.expected !== undefined;
  }

  verify(authorization: string | undefined): 'ok' | 'missing' | 'invalid' | 'unconfigured' {
    if (!this.expected) return 'unconfigured';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return 'missing';
    return timingSafeEqual(digest(match[1]), this.expected) ? 'ok' : 'invalid';
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
