import type { RunCursor } from '@flint/store';
import { decodeKeysetCursor, encodeKeysetCursor } from './keyset-cursor';

/** A run history cursor: the claim time and sequence of the last run of a page. */
export function encodeRunCursor(cursor: RunCursor): string {
  return encodeKeysetCursor(cursor.createdAt, cursor.seq);
}

export function decodeRunCursor(text: string): RunCursor {
  const { at, tie } = decodeKeysetCursor(text, (seq) => /^\d{1,19}$/.test(seq));
  return { createdAt: at, seq: tie };
}
