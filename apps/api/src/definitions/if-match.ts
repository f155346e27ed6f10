import { InvalidInputError } from './definition-validator';

/** The ETag of a definition: its version, quoted. */
export function versionEtag(version: number): string {
  return `"${version}"`;
}

/**
 * The version a write expects, from `If-Match` (`"3"`, `W/"3"`; `*` means any) or the body's
 * `version`; undefined when neither says, and then the last writer wins.
 */
export function expectedVersion(
  ifMatch: string | undefined,
  bodyVersion?: unknown,
): number | undefined {
  const fromHeader = parseIfMatch(ifMatch);
  const fromBody = typeof bodyVersion === 'number' ? bodyVersion : undefined;
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    throw new InvalidInputError(
      'invalid_header',
      `If-Match says version ${fromHeader} but the body says version ${fromBody}`,
      [
        {
          path: 'version',
          message: `must equal the If-Match version ${fromHeader} or be left out`,
        },
      ],
    );
  }
  return fromHeader ?? fromBody;
}

function parseIfMatch(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?([1-9]\d{0,9})"?\s*$/.exec(value);
  if (!match) {
    throw new InvalidInputError('invalid_header', 'If-Match must be a version ETag like "3"', [
      { path: 'If-Match', message: 'must be the ETag of the definition, like "3"' },
    ]);
  }
  return Number(match[1]);
}
