import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The variable the key ring is read from; named in every message that asks for it. */
export const SECRETS_KEYS_VARIABLE = 'FLINT_SECRETS_KEYS';

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const KEY_BYTES = 32;
/** GCM's recommended nonce size; a random one per encryption. */
const IV_BYTES = 12;

/** Encryption keys by id; the first one encrypts, every one decrypts. */
export interface SecretKeyRing {
  readonly currentKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A secret value as stored: never the value itself. */
export interface SealedSecret {
  keyId: string;
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
}

export class SecretKeyRingError extends Error {
  override readonly name = 'SecretKeyRingError';
}

/** A stored secret that cannot be decrypted: its key is gone from the ring, or it was altered. */
export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';

  constructor(
    readonly secretName: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses `FLINT_SECRETS_KEYS`: comma-separated `<keyId>:<base64 of 32 random bytes>`. Unset or blank
 * means no key ring (the encrypted store is off). Messages name the entry and its key id, never key
 * material.
 */
export function parseSecretKeyRing(value: string | undefined): SecretKeyRing | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const keys = new Map<string, Buffer>();
  const entries = value.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const where = `${SECRETS_KEYS_VARIABLE} entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      throw new SecretKeyRingError(
        `${where} must look like <keyId>:<base64 key>, e.g. "k1:" followed by the output of "openssl rand -base64 32"`,
      );
    }
    const keyId = entry.slice(0, colon);
    const encoded = entry.slice(colon + 1);
    if (!KEY_ID.test(keyId)) {
      throw new SecretKeyRingError(
        `${where}: the key id must be 1 to 64 letters, digits, ".", "_" or "-"`,
      );
    }
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) {
      throw new SecretKeyRingError(
        `${where} (key id "${keyId}"): the key must be ${KEY_BYTES} bytes encoded as base64 ` +
          `(e.g. "openssl rand -base64 32"), got ${key.length === 0 ? 'no valid base64' : `${key.length} bytes`}`,
      );
    }
    if (keys.has(keyId)) {
      throw new SecretKeyRingError(`${where}: key id "${keyId}" is listed twice`);
    }
    keys.set(keyId, key);
  });
  return { currentKeyId: entries[0].slice(0, entries[0].indexOf(':')), keys };
}

/** A fresh `FLINT_SECRETS_KEYS` value with one random key. */
export function generateSecretKeyRing(keyId = 'k1'): string {
  return `${keyId}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * AES-256-GCM over secret values. The secret's name is the additional authenticated data, so a
 * ciphertext copied onto another secret's row fails to decrypt instead of handing out the wrong value.
 */
export class SecretCipher {
  constructor(private readonly ring: SecretKeyRing) {}

  get currentKeyId(): string {
    return this.ring.currentKeyId;
  }

  encrypt(name: string, value: string): SealedSecret {
    const keyId = this.ring.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.ring.keys.get(keyId) as Buffer, iv);
    cipher.setAAD(additionalData(name));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return { keyId, ciphertext, iv, authTag: cipher.getAuthTag() };
  }

  decrypt(name: string, sealed: SealedSecret): string {
    const key = this.ring.keys.get(sealed.keyId);
    if (!key) {
      throw new SecretDecryptionError(
        name,
        `secret "${name}" is encrypted under key "${sealed.keyId}", which is not in ${SECRETS_KEYS_VARIABLE}; ` +
          `add that key back (after the current one) or set the secret again`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
      decipher.setAAD(additionalData(name));
      decipher.setAuthTag(sealed.authTag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretDecryptionError(
        name,
        `secret "${name}" cannot be decrypted with key "${sealed.keyId}": the key is not the one it ` +
          'was encrypted with, or the stored ciphertext was altered',
      );
    }
  }
}

function additionalData(name: string): Buffer {
  return Buffer.from(`flint-secret:${name}`, 'utf8');
}
