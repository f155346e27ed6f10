import { BadRequestException } from '@nestjs/common';
import {
  MAX_OVERVIEW_RANGE_MS,
  type Overview,
  type OverviewMinute,
  type OverviewQuery,
  type SourceActivityList,
  type StoredSource,
  type TriggerActivityList,
} from '@flint/contracts';
import type {
  ActivityRepository,
  DeadLetterRepository,
  RunHistoryRepository,
  SourceStatusRepository,
} from '@flint/store';
import type { DefinitionRepository } from '../definitions/definition-repository';
import { assertCanSee, ownerScope, type Principal } from '../auth/principal';
import { reportsBySource, sourceHealth } from './source-health';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface OverviewStores {
  definitions: DefinitionRepository;
  activity: ActivityRepository;
  runs: RunHistoryRepository;
  statuses: SourceStatusRepository;
  deadLetters: DeadLetterRepository;
}

/**
 * The aggregates behind the console's overview and the per-row numbers of its source and trigger
 * listings, each one request instead of one per row. Owner-scoped like everything else: a scoped
 * key sees its owner's sources, triggers, runs and the events of its sources only.
 */
export class OverviewReader {
  constructor(
    private readonly stores: OverviewStores,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async overview(principal: Principal, query: OverviewQuery): Promise<Overview> {
    const { since, until } = this.range(query);
    const owner = ownerScope(principal);
    const { definitions, activity, runs, statuses, deadLetters } = this.stores;
    const [events, runMinutes, sources, triggerCounts, reports, letters] = await Promise.all([
      activity.eventMinutes(since, until, owner),
      runs.minuteCounts(since, until, owner),
      definitions.list({ kind: 'source', ...(owner === undefined ? {} : { owner }) }),
      definitions.count('trigger', owner),
      statuses.fresh(),
      // Dead letters have no owner (many are bytes no event could be read from): admins only.
      principal.role === 'admin' ? deadLetters.counts(since, until) : undefined,
    ]);
    const series = everyMinute(since, until);
    const byMinute = new Map(series.map((minute) => [minute.minute, minute]));
    for (const { minute, events: count } of events) {
      const slot = byMinute.get(minute.toISOString());
      if (slot) slot.events += count;
    }
    for (const { minute, started, succeeded, failed } of runMinutes) {
      const slot = byMinute.get(minute.toISOString());
      if (!slot) continue;
      slot.runsStarted += started;
      slot.runsSucceeded += succeeded;
      slot.runsFailed += failed;
    }
    const bySource = reportsBySource(reports);
    const down = (sources as StoredSource[]).flatMap((source) => {
      const health = sourceHealth(source, bySource.get(source.id) ?? []);
      return ['failing', 'failed', 'invalid', 'down'].includes(health.state)
        ? [{ id: source.id, owner: source.owner, provider: source.provider, health }]
        : [];
    });
    const sum = (pick: (m: OverviewMinute) => number) =>
      series.reduce((total, minute) => total + pick(minute), 0);
    return {
      since: since.toISOString(),
      until: until.toISOString(),
      totals: {
        events: sum((m) => m.events),
        runsStarted: sum((m) => m.runsStarted),
        runsSucceeded: sum((m) => m.runsSucceeded),
        runsFailed: sum((m) => m.runsFailed),
      },
      series,
      sources: {
        total: sources.length,
        enabled: sources.filter((source) => source.enabled).length,
        down,
      },
      triggers: triggerCounts,
      ...(letters === undefined ? {} : { deadLetters: letters }),
    };
  }

  /** Runs of the last 24 hours and the newest run of each visible trigger among `ids`. */
  async triggers(principal: Principal, ids: readonly string[]): Promise<TriggerActivityList> {
    const visible = await this.visible(principal, 'trigger', ids);
    const summaries = await this.stores.runs.triggerSummaries(
      visible.map((t) => t.id),
      new Date(this.now().getTime() - DAY_MS),
    );
    return {
      items: summaries.map((summary) => ({
        triggerId: summary.triggerId,
        runs: { started: summary.started, succeeded: summary.succeeded, failed: summary.failed },
        ...(summary.lastRunAt ? { lastRunAt: summary.lastRunAt.toISOString() } : {}),
        ...(summary.lastRunStatus ? { lastRunStatus: summary.lastRunStatus } : {}),
      })),
    };
  }

  /** Health, events of the last hour and the newest event of each visible source among `ids`. */
  async sources(principal: Principal, ids: readonly string[]): Promise<SourceActivityList> {
    const visible = (await this.visible(principal, 'source', ids)) as StoredSource[];
    const visibleIds = visible.map((source) => source.id);
    const [summaries, reports] = await Promise.all([
      this.stores.activity.sourceSummaries(visibleIds, new Date(this.now().getTime() - HOUR_MS)),
      this.stores.statuses.fresh(visibleIds),
    ]);
    const bySource = reportsBySource(reports);
    const summaryOf = new Map(summaries.map((summary) => [summary.sourceId, summary]));
    return {
      items: visible.map((source) => {
        const summary = summaryOf.get(source.id);
        return {
          sourceId: source.id,
          health: sourceHealth(source, bySource.get(source.id) ?? []),
          eventsLastHour: summary?.events ?? 0,
          ...(summary?.lastEventAt ? { lastEventAt: summary.lastEventAt.toISOString() } : {}),
        };
      }),
    };
  }

  /** The stored definitions among `ids` the principal may see; others are left out silently. */
  private async visible(principal: Principal, kind: 'source' | 'trigger', ids: readonly string[]) {
    const found = await Promise.all(ids.map((id) => this.stores.definitions.get(kind, id)));
    return found.filter((definition): definition is NonNullable<typeof definition> => {
      if (definition === undefined) return false;
      try {
        assertCanSee(principal, definition.owner, kind);
        return true;
      } catch {
        return false;
      }
    });
  }

  private range(query: OverviewQuery): { since: Date; until: Date } {
    const until = query.until === undefined ? this.now() : new Date(query.until);
    const since =
      query.since === undefined ? new Date(until.getTime() - HOUR_MS) : new Date(query.since);
    if (since.getTime() >= until.getTime()) throw invalidRange('must be before until');
    if (until.getTime() - since.getTime() > MAX_OVERVIEW_RANGE_MS) {
      throw invalidRange('the range may span at most 24 hours');
    }
    return { since, until };
  }
}

/** One zeroed slot per minute that starts in [since, until), so charts need not fill gaps. */
function everyMinute(since: Date, until: Date): OverviewMinute[] {
  const slots: OverviewMinute[] = [];
  const first = Math.floor(since.getTime() / MINUTE_MS) * MINUTE_MS;
  for (let t = first; t < until.getTime(); t += MINUTE_MS) {
    slots.push({
      minute: new Date(t).toISOString(),
      events: 0,
      runsStarted: 0,
      runsSucceeded: 0,
      runsFailed: 0,
    });
  }
  return slots;
}

function invalidRange(message: string): BadRequestException {
  return new BadRequestException({
    error: {
      code: 'invalid_request',
      message: `invalid range: ${message}`,
      issues: [{ path: 'since', message }],
    },
  });
}
