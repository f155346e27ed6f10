import type { RecentEvent, TestEvent } from '@flint/contracts';

/**
 * A recent event of a source as a test-fire sample: its attributes, and its data when the excerpt
 * holds all of it (a cut excerpt is no longer the event's data; the person edits it first).
 */
export function sampleFromRecent(
  sourceId: string,
  event: RecentEvent,
): { sample: TestEvent; complete: boolean } {
  const sample: TestEvent = {
    id: event.id,
    type: event.type,
    time: event.time,
    flintsourceid: sourceId,
    flintprovider: event.provider as TestEvent['flintprovider'],
    ...(event.subject === undefined ? {} : { subject: event.subject }),
  };
  if (event.dataExcerpt === undefined) return { sample, complete: true };
  if (event.dataTruncated)
    return { sample: { ...sample, data: event.dataExcerpt }, complete: false };
  let data: unknown = event.dataExcerpt;
  try {
    data = JSON.parse(event.dataExcerpt) as unknown;
  } catch {
    // Text data stays text.
  }
  return { sample: { ...sample, data }, complete: true };
}
