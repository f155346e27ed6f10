import { randomBytes } from 'node:crypto';
import {
  SecretCipher,
  SecretDecryptionError,
  SecretKeyRingError,
  generateSecretKeyRing,
  parseSecretKeyRing,
} from './cipher';

const key = () => randomBytes(32).toString('base64');

describe('parseSecretKeyRing', () => {
  it('reads comma-separated <keyId>:<base64 key> entries, the first one current', () => {
    const ring = parseSecretKeyRing(` k2:${key()} , k1:${randomBytes(32).toString('base64url')}`);
    expect(ring?.currentKeyId).toBe('k2');
    expect([...(ring?.keys.keys() ?? [])]).toEqual(['k2', 'k1']);
    expect(ring?.keys.get('k1')).toHaveLength(32);
  });

  it('means "no key ring" when unset or blank', () => {
    expect(parseSecretKeyRing(undefined)).toBeUndefined();
    expect(parseSecretKeyRing('  ')).toBeUndefined();
  });

  it('names the bad entry without ever showing key material', () => {
    const short = randomBytes(16).toString('base64');
    const cases: [string, string][] = [
      [`k1:${key()},${short}`, 'FLINT_SECRETS_KEYS entry 2 must look like <keyId>:<base64 key>'],
      [`k1:${short}`, 'key id "k1"): the key must be 32 bytes encoded as base64'],
      ['k1:not base64!', 'got no valid base64'],
      [`bad id:${key()}`, 'entry 1: the key id must be 1 to 64 letters'],
      [`k1:${key()},k1:${key()}`, 'entry 2: key id "k1" is listed twice'],
    ];
    for (const [value, message] of cases) {
      let error: unknown;
      try {
        parseSecretKeyRing(value);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SecretKeyRingError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('generates a ring it can parse', () => {
    expect(parseSecretKeyRing(generateSecretKeyRing('local1'))?.currentKeyId).toBe('local1');
  });
});

describe('SecretCipher', () => {
  const k1 = `k1:${key()}`;
  const k2 = `k2:${key()}`;
  const cipher = new SecretCipher(parseSecretKeyRing(k1)!);

  it('round-trips a value under the current key, never storing it in clear', () => {
    const sealed = cipher.encrypt('gh-hook', 's3cr3t ✓');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext.toString('utf8')).not.toContain('s3cr3t');
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.authTag).toHaveLength(16);
    expect(cipher.decrypt('gh-hook', sealed)).toBe('s3cr3t ✓');
  });

  it('uses a fresh IV per encryption', () => {
    const a = cipher.encrypt('n', 'same');
    const b = cipher.encrypt('n', 'same');
    expect(a.iv.equals(b.iv)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('decrypts with an older key of the ring after rotation, encrypts with the new one', () => {
    const sealedUnderK1 = cipher.encrypt('token', 'value-1');
    const rotated = new SecretCipher(parseSecretKeyRing(`${k2},${k1}`)!);
    expect(rotated.decrypt('token', sealedUnderK1)).toBe('value-1');
    expect(rotated.encrypt('token', 'value-1').keyId).toBe('k2');
  });

  it('says which key is missing when the ring no longer has it', () => {
    const sealed = cipher.encrypt('token', 'value');
    const without = new SecretCipher(parseSecretKeyRing(k2)!);
    expect(() => without.decrypt('token', sealed)).toThrow(SecretDecryptionError);
    expect(() => without.decrypt('token', sealed)).toThrow(
      'secret "token" is encrypted under key "k1", which is not in FLINT_SECRETS_KEYS',
    );
  });

  it('refuses altered ciphertext, a wrong key under the same id, and another secret name', () => {
    const sealed = cipher.encrypt('token', 'value');
    const tampered = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext) };
    tampered.ciphertext[0] ^= 1;
    const message = 'secret "token" cannot be decrypted with key "k1"';
    expect(() => cipher.decrypt('token', tampered)).toThrow(message);
    expect(() => cipher.decrypt('token', { ...sealed, authTag: Buffer.alloc(16) })).toThrow(
      message,
    );
    const impostor = new SecretCipher(parseSecretKeyRing(`k1:${key()}`)!);
    expect(() => impostor.decrypt('token', sealed)).toThrow(message);
    expect(() => cipher.decrypt('other', sealed)).toThrow(
      'secret "other" cannot be decrypted with key "k1"',
    );
  });
});
