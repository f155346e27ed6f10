import { BadRequestException } from '@nestjs/common';

/**
 * History cursors are opaque to clients: the time and the tie-breaker of the last item of a page
 * (a run's claim sequence, an event's id), as base64url JSON.
 */
export function encodeKeysetCursor(at: Date, tie: string): string {
  return Buffer.from(JSON.stringify({ at: at.toISOString(), seq: tie }), 'utf8').toString(
    'base64url',
  );
}

/** The time and tie-breaker of a cursor this API returned; 400 for anything else. */
export function decodeKeysetCursor(
  text: string,
  validTie: (tie: string) => boolean,
): { at: Date; tie: string } {
  try {
    const decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      at?: unknown;
      seq?: unknown;
    } | null;
    const at = typeof decoded?.at === 'string' ? new Date(decoded.at) : undefined;
    const tie = decoded?.seq;
    if (at && !Number.isNaN(at.getTime()) && typeof tie === 'string' && validTie(tie)) {
      return { at, tie };
    }
  } catch {
    // falls through to the error below
  }
  throw new BadRequestException({
    error: {
      code: 'invalid_request',
      message: 'cursor is not one this API returned',
      issues: [{ path: 'cursor', message: 'pass the nextCursor of the previous page unchanged' }],
    },
  });
}
