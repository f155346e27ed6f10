import { decodeCursor, encodeCursor } from './cursor';
import { InvalidInputError } from './definition-validator';
import { expectedVersion, versionEtag } from './if-match';

describe('expectedVersion', () => {
  it('reads the version from If-Match in the forms clients send', () => {
    expect(expectedVersion(versionEtag(3))).toBe(3);
    expect(expectedVersion('W/"12"')).toBe(12);
    expect(expectedVersion('7')).toBe(7);
    expect(expectedVersion('*')).toBeUndefined();
    expect(expectedVersion(undefined)).toBeUndefined();
  });

  it('falls back to the body version, and refuses a disagreement or a malformed header', () => {
    expect(expectedVersion(undefined, 4)).toBe(4);
    expect(expectedVersion('"4"', 4)).toBe(4);
    expect(() => expectedVersion('"4"', 5)).toThrow(InvalidInputError);
    expect(() => expectedVersion('"0"')).toThrow('If-Match must be a version ETag like "3"');
    expect(() => expectedVersion('"3", "4"')).toThrow(InvalidInputError);
  });
});

describe('listing cursors', () => {
  it('round-trip the position and refuse anything else', () => {
    expect(decodeCursor(encodeCursor('github-push'))).toBe('github-push');
    expect(() => decodeCursor('not-a-cursor')).toThrow('cursor is not one this API returned');
    expect(() => decodeCursor(Buffer.from('{"after":3}').toString('base64url'))).toThrow(
      InvalidInputError,
    );
  });
});
