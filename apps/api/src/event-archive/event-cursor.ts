import type { ArchiveCursor } from '@flint/store';
import { decodeKeysetCursor, encodeKeysetCursor } from '../runs/keyset-cursor';

/** An archive cursor: the acceptance time and id of the last event of a page. */
export function encodeEventCursor(cursor: ArchiveCursor): string {
  return encodeKeysetCursor(cursor.acceptedAt, cursor.eventId);
}

export function decodeEventCursor(text: string): ArchiveCursor {
  const { at, tie } = decodeKeysetCursor(text, (id) => id !== '');
  return { acceptedAt: at, eventId: tie };
}
