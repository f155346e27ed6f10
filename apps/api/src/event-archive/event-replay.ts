import { randomUUID } from 'node:crypto';
import type { CelEngine } from '@flint/conditions';
import {
  type CloudEvent,
  REPLAY_ATTRIBUTES,
  type ReplayRequest,
  type ReplayResult,
  MAX_REPLAY_EVENTS,
} from '@flint/contracts';
import { newTraceparent } from '@flint/provider-sdk';
import type { ArchiveCursor, ArchivedEvent, EventArchiveRepository } from '@flint/store';
import type { Principal } from '../auth/principal';
import { visibleOwner } from './event-archive';
import { compileEventFilter } from './event-filter';

/** Archived events read per query, and re-published per send. */
const CHUNK = 500;

export interface ReplayPublisher {
  publishEvents(events: readonly CloudEvent[]): Promise<void>;
}

/**
 * Replays archived events: each matching original (replays themselves are not replayed again),
 * oldest first, is published to the events topic again with a fresh id, accepted now, marked
 * with the id it replays (`flintreplayof`). Offered to every trigger or to one; a trigger the
 * original already fired is not offered it again unless `rerun` asks, so a replay does not double
 * runs by default. With `rerun`, the evaluator dedupes the replayed event by its own id, so its
 * runs are new ones. The api signs every replay (the evaluator believes replay marks only when
 * signed), but one of an original no Flint service vouched for says so (`flintreplayforeign`), so
 * the replay gains no trust its original lacked.
 */
export class EventReplay {
  constructor(
    private readonly archive: Pick<EventArchiveRepository, 'originals'>,
    private readonly engine: CelEngine,
    private readonly publisher: ReplayPublisher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async replay(principal: Principal, request: ReplayRequest): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: [], skipped: 0, more: false };
    const owner = visibleOwner(principal, request.owner);
    if (owner === null) return result;
    const filter =
      request.filter === undefined ? undefined : compileEventFilter(this.engine, request.filter);
    const limit = request.limit ?? MAX_REPLAY_EVENTS;
    const query = {
      ...(owner === undefined ? {} : { owner }),
      ...(request.source === undefined ? {} : { sourceId: request.source }),
      ...(request.type === undefined ? {} : { type: request.type }),
      since: new Date(request.since),
      until: new Date(request.until),
    };
    let after: ArchiveCursor | undefined;
    for (;;) {
      const originals = await this.archive.originals(query, after, CHUNK);
      const batch: CloudEvent[] = [];
      for (const original of originals) {
        after = { acceptedAt: original.acceptedAt, eventId: original.eventId };
        if (filter && !filter(original.event)) continue;
        const fired = request.rerun ? [] : original.fired;
        if (request.trigger !== undefined && fired.includes(request.trigger)) {
          result.skipped++;
          continue;
        }
        if (result.replayed.length === limit) {
          result.more = true;
          break;
        }
        const replayed = this.replayOf(original, request, fired);
        batch.push(replayed);
        result.replayed.push({ originalId: original.eventId, eventId: replayed.id });
      }
      if (batch.length > 0) await this.publisher.publishEvents(batch);
      if (result.more || originals.length < CHUNK) return result;
    }
  }

  private replayOf(
    { event, fromFlint }: ArchivedEvent,
    request: ReplayRequest,
    fired: readonly string[],
  ): CloudEvent {
    const original = event as CloudEvent;
    return {
      ...original,
      id: randomUUID(),
      flintacceptedat: this.now().toISOString(),
      // A new trace: the replay is its own story, linked to the original by id.
      traceparent: newTraceparent(),
      [REPLAY_ATTRIBUTES.of]: original.id,
      ...(request.trigger === undefined ? {} : { [REPLAY_ATTRIBUTES.trigger]: request.trigger }),
      ...(request.trigger === undefined && fired.length > 0
        ? { [REPLAY_ATTRIBUTES.skip]: fired.join(',') }
        : {}),
      ...(request.rerun ? { [REPLAY_ATTRIBUTES.rerun]: 'true' } : {}),
      ...(fromFlint ? {} : { [REPLAY_ATTRIBUTES.foreign]: 'true' }),
    };
  }
}
