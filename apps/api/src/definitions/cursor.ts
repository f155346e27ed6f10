import { InvalidInputError } from './definition-validator';

/**
 * Listing cursors are opaque to clients: the position after which the next page starts, as
 * base64url JSON, so the encoding can change without breaking anyone who only passes it back.
 */
export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const after = (decoded as { after?: unknown } | null)?.after;
    if (typeof after === 'string' && after.length > 0) return after;
  } catch {
    // falls through to the error below
  }
  throw new InvalidInputError('invalid_query', 'cursor is not one this API returned', [
    { path: 'cursor', message: 'pass the nextCursor of the previous page unchanged' },
  ]);
}
