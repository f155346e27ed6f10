import { createHash } from 'node:crypto';
import { type FileEvent, type FileEventData, fileEventType } from '@flint/contracts';
import type { EmitInput } from '@flint/provider-sdk';
import type { FileVersion } from './file-state';

/** Something that happened to one file, ready to be announced. */
export interface FileChange {
  event: FileEvent;
  /** Relative to the watched directory, "/" separated. */
  path: string;
  /** The new version; for a deleted file, the last one announced. */
  version: FileVersion;
  sha256?: string;
}

const MAX_READABLE_ID = 400;

/**
 * Path + size + mtime (+ content hash): the same version of a file always gets the same id, so an
 * announcement repeated after a crash is recognised downstream. Very long paths are hashed.
 */
export function fileEventId(change: FileChange): string {
  const parts = [change.path, change.version.size, change.version.mtimeMs];
  if (change.sha256) parts.push(change.sha256);
  if (change.event === 'deleted') parts.push('deleted');
  const id = parts.join(':');
  return id.length <= MAX_READABLE_ID ? id : createHash('sha256').update(id).digest('hex');
}

export function fileEvent(directory: string, change: FileChange): EmitInput {
  const data: FileEventData = {
    event: change.event,
    directory,
    path: change.path,
    size: change.version.size,
    modifiedAt: new Date(change.version.mtimeMs).toISOString(),
    ...(change.sha256 ? { sha256: change.sha256 } : {}),
  };
  return {
    id: fileEventId(change),
    type: fileEventType(change.event),
    subject: change.path,
    ...(change.event === 'deleted' ? {} : { time: new Date(change.version.mtimeMs) }),
    data,
  };
}
