import type { RunSummary } from '@flint/contracts';
import type { RunHistoryRepository } from '@flint/store';
import { PollingFeed } from './polling-feed';
import { runSummary } from './run-views';

/** Most changes read per poll; beyond it subscribers are told to reload. */
const PAGE = 1000;

export interface RunFeedFilter {
  /** Only runs of this owner (a scoped key's own, or an admin's choice). */
  owner?: string;
  trigger?: string;
  status?: RunSummary['status'];
}

export interface RunFeedSubscriber {
  filter: RunFeedFilter;
  /** A run was claimed or changed. */
  onRun(run: RunSummary): void;
  /** More runs changed in one poll than the feed reads; what the subscriber shows is incomplete. */
  onOverflow(): void;
}

/**
 * Run changes for the API's live stream, by the runs table's `updated_at` (see `PollingFeed`); a
 * run is sent again when its visible state changed.
 */
export class RunChangeFeed {
  private readonly feed: PollingFeed<RunSummary>;

  constructor(
    runs: Pick<RunHistoryRepository, 'changedSince'>,
    intervalMs: number,
    onError: (err: unknown) => void,
    now: () => number = Date.now,
  ) {
    this.feed = new PollingFeed({
      read: async (since, limit) =>
        (await runs.changedSince(since, limit)).map((run) => ({
          at: run.updatedAt,
          key: run.runId,
          item: runSummary(run),
        })),
      fingerprint: (run) => JSON.stringify(run),
      intervalMs,
      pageSize: PAGE,
      onError,
      now,
    });
  }

  /** Starts delivering changes from now on; returns the unsubscribe function. */
  subscribe(subscriber: RunFeedSubscriber): () => void {
    return this.feed.subscribe({
      accepts: (run) => matches(subscriber.filter, run),
      onItem: (run) => subscriber.onRun(run),
      onOverflow: () => subscriber.onOverflow(),
    });
  }

  get subscriberCount(): number {
    return this.feed.subscriberCount;
  }

  /** One poll; exposed for tests, which drive the feed without timers. */
  poll(): Promise<void> {
    return this.feed.poll();
  }

  /** Stops polling; the streams themselves are ended by their owner. */
  close(): Promise<void> {
    return this.feed.close();
  }
}

function matches(filter: RunFeedFilter, run: RunSummary): boolean {
  return (
    (filter.owner === undefined || filter.owner === run.owner) &&
    (filter.trigger === undefined || filter.trigger === run.triggerId) &&
    (filter.status === undefined || filter.status === run.status)
  );
}
