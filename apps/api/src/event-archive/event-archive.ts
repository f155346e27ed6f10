import { NotFoundException } from '@nestjs/common';
import type { CelEngine } from '@flint/conditions';
import type {
  ArchivedEventDetail,
  ArchivedEventPage,
  ArchivedEventSummary,
  EventListQuery,
} from '@flint/contracts';
import type { ArchivedEvent, ArchiveQuery, EventArchiveRepository } from '@flint/store';
import { ownerScope, type Principal } from '../auth/principal';
import { decodeEventCursor, encodeEventCursor } from './event-cursor';
import { compileEventFilter } from './event-filter';

/** Rows read at most to fill one page when a CEL filter leaves most of them out. */
export const FILTER_SCAN_LIMIT = 5000;
const SCAN_CHUNK = 500;

/**
 * The event archive as a principal may see it: an editor or viewer only its owner's events
 * (another owner's event is reported missing), an admin everyone's, optionally narrowed by `owner`.
 */
export class EventArchive {
  constructor(
    private readonly archive: EventArchiveRepository,
    private readonly engine: CelEngine,
  ) {}

  async list(principal: Principal, query: EventListQuery): Promise<ArchivedEventPage> {
    const owner = visibleOwner(principal, query.owner);
    if (owner === null) return { items: [] };
    const filter =
      query.filter === undefined ? undefined : compileEventFilter(this.engine, query.filter);
    const base: Omit<ArchiveQuery, 'limit'> = {
      ...(owner === undefined ? {} : { owner }),
      ...(query.source === undefined ? {} : { sourceId: query.source }),
      ...(query.type === undefined ? {} : { type: query.type }),
      ...(query.since === undefined ? {} : { since: new Date(query.since) }),
      ...(query.until === undefined ? {} : { until: new Date(query.until) }),
      ...(query.run === undefined ? {} : { runId: query.run }),
      ...(query.fired === undefined ? {} : { fired: query.fired }),
      ...(query.cursor === undefined ? {} : { after: decodeEventCursor(query.cursor) }),
    };
    if (filter === undefined) {
      const page = await this.archive.page({ ...base, limit: query.limit }, false);
      return {
        items: page.events.map(eventSummary),
        ...(page.next ? { nextCursor: encodeEventCursor(page.next) } : {}),
      };
    }
    // The filter runs here, over chunks of the archive, until the page is full or the scan ends.
    const items: ArchivedEventSummary[] = [];
    let after = base.after;
    let scanned = 0;
    for (;;) {
      const page = await this.archive.page(
        { ...base, ...(after ? { after } : {}), limit: SCAN_CHUNK },
        true,
      );
      for (const event of page.events) {
        scanned++;
        after = { acceptedAt: event.acceptedAt, eventId: event.eventId };
        if (filter(event.event)) items.push(eventSummary(event));
        const more = page.next !== undefined || event !== page.events.at(-1);
        if (items.length === query.limit || scanned === FILTER_SCAN_LIMIT) {
          return {
            items,
            scanned,
            ...(more && after ? { nextCursor: encodeEventCursor(after) } : {}),
          };
        }
      }
      if (!page.next) return { items, scanned };
    }
  }

  async get(principal: Principal, eventId: string): Promise<ArchivedEventDetail> {
    const owner = ownerScope(principal);
    const event = await this.archive.get(eventId, owner);
    // A scoped key sees only its owner's events; events without an owner only an admin sees.
    if (!event) {
      throw new NotFoundException({
        error: { code: 'not_found', message: `event ${eventId} is not in the archive` },
      });
    }
    return {
      ...eventSummary(event),
      event: event.event,
      decisions: [...event.decisions],
      decisionsOmitted: event.decisionsOmitted,
    };
  }
}

/**
 * The owner a query may see: the key's own (null when it asks for another's: nothing to see), or an
 * admin's choice (undefined: every owner).
 */
export function visibleOwner(
  principal: Principal,
  asked: string | undefined,
): string | null | undefined {
  const scope = ownerScope(principal);
  if (scope !== undefined && asked !== undefined && asked !== scope) return null;
  return scope ?? asked;
}

export function eventSummary(event: ArchivedEvent): ArchivedEventSummary {
  return {
    id: event.eventId,
    type: event.type,
    sourceId: event.sourceId,
    provider: event.provider,
    ...(event.owner === undefined ? {} : { owner: event.owner }),
    acceptedAt: event.acceptedAt.toISOString(),
    archivedAt: event.archivedAt.toISOString(),
    fired: [...event.fired],
    // A listing reads the count only (the page query puts it in decisionsOmitted).
    considered: event.decisions.length + event.decisionsOmitted,
    ...(event.replayOf === undefined ? {} : { replayOf: event.replayOf }),
  };
}
