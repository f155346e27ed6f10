/** Re-read this far back on every poll: a row committed just after a poll is seen by the next. */
const OVERLAP_MS = 2000;

/** One row a poll read: when it changed, what identifies it, and what subscribers are sent. */
export interface FeedChange<Item> {
  at: Date;
  key: string;
  item: Item;
}

export interface FeedSubscriber<Item> {
  /** Whether this subscriber wants the item (its filters). */
  accepts(item: Item): boolean;
  onItem(item: Item): void;
  /** More rows changed in one poll than the feed reads; what the subscriber shows is incomplete. */
  onOverflow(): void;
}

export interface PollingFeedOptions<Item> {
  /** Rows changed at or after `since`, oldest change first, at most `limit`. */
  read(since: Date, limit: number): Promise<Array<FeedChange<Item>>>;
  /** What was sent of an item: the same item read again with the same fingerprint is not resent. */
  fingerprint(item: Item): string;
  intervalMs: number;
  /** Most rows read per poll; beyond it subscribers are told to reload. */
  pageSize: number;
  onError(err: unknown): void;
  now?: () => number;
}

/**
 * What the API's live streams share: one poll of a table's change-time index per interval, shared
 * by every open stream of this replica, and only while one is open. Each poll re-reads a short
 * overlap, since a row's change time is set when it is written but becomes visible when its
 * transaction commits; what was already sent is recognised by its fingerprint and not sent again.
 */
export class PollingFeed<Item> {
  private readonly subscribers = new Set<FeedSubscriber<Item>>();
  /** Key → fingerprint of what was sent last, for rows changed within the overlap. */
  private readonly sent = new Map<string, { fingerprint: string; at: number }>();
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PollingFeedOptions<Item>) {
    this.now = options.now ?? Date.now;
  }

  /** Starts delivering changes from now on; returns the unsubscribe function. */
  subscribe(subscriber: FeedSubscriber<Item>): () => void {
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
        if (this.subscribers.size > 0) this.schedule(this.options.intervalMs);
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
    let changed: Array<FeedChange<Item>>;
    try {
      changed = await this.options.read(new Date(this.cursor - OVERLAP_MS), this.options.pageSize);
    } catch (err) {
      this.options.onError(err);
      return;
    }
    const full = changed.length === this.options.pageSize;
    for (const { at, key, item } of changed) {
      const changedAt = at.getTime();
      this.cursor = Math.max(this.cursor, changedAt);
      const fingerprint = this.options.fingerprint(item);
      if (this.sent.get(key)?.fingerprint === fingerprint) continue;
      this.sent.set(key, { fingerprint, at: changedAt });
      for (const subscriber of this.subscribers) {
        if (subscriber.accepts(item)) subscriber.onItem(item);
      }
    }
    if (full) {
      // A burst larger than a page: skip ahead rather than fall further behind each poll.
      this.cursor += OVERLAP_MS;
      for (const subscriber of this.subscribers) subscriber.onOverflow();
    }
    const forgetBefore = this.cursor - 2 * OVERLAP_MS;
    for (const [key, entry] of this.sent) {
      if (entry.at < forgetBefore) this.sent.delete(key);
    }
  }
}
