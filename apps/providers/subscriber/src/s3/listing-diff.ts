import type { S3ObjectEvent } from '@flint/contracts';

/** What Flint keeps of an object between listings. */
export interface ListedObject {
  etag: string;
  size: number;
  lastModified?: string;
}

export interface ObjectChange {
  event: S3ObjectEvent;
  key: string;
  object: ListedObject;
}

/**
 * The changes from the previous listing to the current one: keys that appeared (`created`), whose
 * ETag differs (`changed`; a size alone can repeat), and keys that are gone (`deleted`, with what was
 * last known of them). In key order, so a run of changes is reproducible.
 */
export function diffListing(
  previous: ReadonlyMap<string, ListedObject>,
  current: ReadonlyMap<string, ListedObject>,
): ObjectChange[] {
  const changes: ObjectChange[] = [];
  for (const [key, object] of current) {
    const before = previous.get(key);
    if (before === undefined) changes.push({ event: 'created', key, object });
    else if (before.etag !== object.etag) changes.push({ event: 'changed', key, object });
  }
  for (const [key, object] of previous) {
    if (!current.has(key)) changes.push({ event: 'deleted', key, object });
  }
  return changes.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
