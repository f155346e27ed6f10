import { BadRequestException } from '@nestjs/common';
import type {
  ActivityCounts,
  RecentEvents,
  TriggerStats,
  TriggerStatsQuery,
} from '@flint/contracts';
import type { ActivityRepository } from '@flint/store';

const HOUR_MS = 3_600_000;
/** The longest range one request may ask for: the per-minute series stays bounded. */
export const MAX_STATS_RANGE_MS = 31 * 24 * HOUR_MS;

const ZERO: ActivityCounts = {
  received: 0,
  matched: 0,
  dropped: 0,
  duplicate: 0,
  errors: 0,
  started: 0,
  failed: 0,
};

/** A trigger's counts over a range (the last hour by default) and a source's recent events. */
export class ActivityReader {
  constructor(
    private readonly activity: ActivityRepository,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async triggerStats(triggerId: string, query: TriggerStatsQuery): Promise<TriggerStats> {
    const until = query.until === undefined ? this.now() : new Date(query.until);
    const since =
      query.since === undefined ? new Date(until.getTime() - HOUR_MS) : new Date(query.since);
    if (since.getTime() >= until.getTime()) {
      throw invalidRange('since', 'must be before until');
    }
    if (until.getTime() - since.getTime() > MAX_STATS_RANGE_MS) {
      throw invalidRange('since', 'the range may span at most 31 days');
    }
    const minutes = await this.activity.triggerActivity(triggerId, since, until);
    const totals = { ...ZERO };
    const series = minutes.map(({ minute, ...counts }) => {
      for (const key of Object.keys(ZERO) as (keyof ActivityCounts)[]) totals[key] += counts[key];
      return { minute: minute.toISOString(), ...counts };
    });
    return {
      triggerId,
      since: since.toISOString(),
      until: until.toISOString(),
      totals,
      series,
    };
  }

  async recentEvents(sourceId: string, limit: number): Promise<RecentEvents> {
    const events = await this.activity.recentEvents(sourceId, limit);
    return {
      sourceId,
      items: events.map((event) => ({
        id: event.eventId,
        type: event.type,
        time: event.time.toISOString(),
        acceptedAt: event.acceptedAt.toISOString(),
        provider: event.provider,
        ...(event.subject === undefined ? {} : { subject: event.subject }),
        ...(event.traceId === undefined ? {} : { traceId: event.traceId }),
        ...(event.dataExcerpt === undefined ? {} : { dataExcerpt: event.dataExcerpt }),
        dataTruncated: event.dataTruncated,
      })),
    };
  }
}

function invalidRange(path: string, message: string): BadRequestException {
  return new BadRequestException({
    error: {
      code: 'invalid_request',
      message: `invalid range: ${message}`,
      issues: [{ path, message }],
    },
  });
}
