import type { RunSummary } from '@flint/contracts';
import type { RunRecord, RunHistoryRepository } from '@flint/store';
import { runSummary } from './run-views';

/** Re-read this far back on every poll: a change committed just after a poll is seen by the next. */
const OVERLAP_MS = 2000;
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

type Changed = RunRecord & { updatedAt: Date };

/**
 * Run changes for the API's live stream: one poll of the runs table's `updated_at` index per
 * interval, shared by every open stream of this replica, and only while one is open. Each poll
 * re-reads a short overlap, since a row's `updated_at` is set when it is written but becomes
 * visible when its transaction commits; what was already sent is recognised by a fingerprint of
 * the run's visible state and not sent again.
 */
export class RunChangeFeed {
  private readonly subscribers = new Set<RunFeedSubscriber>();
  /** Run id → fingerprint of what was sent last, for runs changed within the overlap. */
  private readonly sent = new Map<string, { fingerprint: string; updatedAt: number }>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly runs: Pick<RunHistoryRepository, 'changedSince'>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts delivering changes from now on; returns the unsubscribe function. */
  subscribe(subscriber: RunFeedSubscriber): () => void {
    if (this.subscribers.size === 0) {
      this.cursor = this.now() - OVERLAP_MS;
      this.schedule(0);
    }
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
      if (this.subscribers.size === 0) this.halt();
    };
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** One poll; exposed for tests, which drive the feed without timers. */
  async poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Stops polling; the streams themselves are ended by their owner. */
  async close(): Promise<void> {
    this.subscribers.clear();
    this.halt();
    await this.polling;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.poll().then(() => {
        if (this.subscribers.size > 0) this.schedule(this.intervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }

  private halt(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.sent.clear();
  }

  private async pollOnce(): Promise<void> {
    let changed: Changed[];
    try {
      changed = await this.runs.changedSince(new Date(this.cursor - OVERLAP_MS), PAGE);
    } catch (err) {
      this.onError(err);
      return;
    }
    const full = changed.length === PAGE;
    for (const run of changed) {
      const updatedAt = run.updatedAt.getTime();
      this.cursor = Math.max(this.cursor, updatedAt);
      const summary = runSummary(run);
      const fingerprint = JSON.stringify(summary);
      if (this.sent.get(run.runId)?.fingerprint === fingerprint) continue;
      this.sent.set(run.runId, { fingerprint, updatedAt });
      for (const subscriber of this.subscribers) {
        if (matches(subscriber.filter, summary)) subscriber.onRun(summary);
      }
    }
    if (full) {
      // A burst larger than a page: skip ahead rather than fall further behind each poll.
      this.cursor += OVERLAP_MS;
      for (const subscriber of this.subscribers) subscriber.onOverflow();
    }
    const forgetBefore = this.cursor - 2 * OVERLAP_MS;
    for (const [runId, entry] of this.sent) {
      if (entry.updatedAt < forgetBefore) this.sent.delete(runId);
    }
  }
}

function matches(filter: RunFeedFilter, run: RunSummary): boolean {
  return (
    (filter.owner === undefined || filter.owner === run.owner) &&
    (filter.trigger === undefined || filter.trigger === run.triggerId) &&
    (filter.status === undefined || filter.status === run.status)
  );
}
