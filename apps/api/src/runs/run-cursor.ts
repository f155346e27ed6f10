import { BadRequestException } from '@nestjs/common';
import type { RunCursor } from '@flint/store';

/**
 * Run history cursors are opaque to clients: the claim time and sequence of the last run of a page,
 * as base64url JSON.
 */
export function encodeRunCursor(cursor: RunCursor): string {
  return Buffer.from(
    JSON.stringify({ at: cursor.createdAt.toISOString(), seq: cursor.seq }),
    'utf8',
  ).toString('base64url');
}

export function decodeRunCursor(text: string): RunCursor {
  try {
    const decoded = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
      at?: unknown;
      seq?: unknown;
    } | null;
    const at = typeof decoded?.at === 'string' ? new Date(decoded.at) : undefined;
    const seq = decoded?.seq;
    if (at && !Number.isNaN(at.getTime()) && typeof seq === 'string' && /^\d{1,19}$/.test(seq)) {
      return { createdAt: at, seq };
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
