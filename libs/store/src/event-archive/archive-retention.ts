import type { EventArchiveRepository } from './event-archive-repository';

export interface ArchiveRetentionPolicy {
  /** How long events are kept unless their owner says otherwise. */
  retentionMs: number;
  /** Per owner: how long that owner's events are kept. */
  ownerRetentionMs: ReadonlyMap<string, number>;
  /** The most the archive may take on disk (0: no limit); the oldest days go first. */
  maxBytes: number;
  /** Rows deleted per statement when an owner is kept shorter than the partitions. */
  deleteBatchSize: number;
}

export interface PruneReport {
  /** Days whose partition was dropped. */
  droppedDays: Date[];
  /** Events deleted one by one (owners kept shorter than the longest retention). */
  deletedEvents: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Applies the archive's retention. A day's partition is dropped once the day is older than the
 * longest retention of any owner, and oldest days are dropped while the archive is above its size
 * limit (never today's). Only owners kept shorter than that longest retention cost row deletes, in
 * batches, over the days still kept.
 */
export class ArchiveRetention {
  constructor(
    private readonly archive: Pick<
      EventArchiveRepository,
      'partitions' | 'dropPartition' | 'deleteOwned'
    >,
    private readonly policy: ArchiveRetentionPolicy,
  ) {}

  async prune(now: Date): Promise<PruneReport> {
    const report: PruneReport = { droppedDays: [], deletedEvents: 0 };
    const longest = Math.max(this.policy.retentionMs, ...this.policy.ownerRetentionMs.values());
    const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
    let partitions = await this.archive.partitions();
    for (const partition of partitions) {
      // A day goes when all of it is older than the longest retention.
      if (partition.day.getTime() + DAY_MS <= now.getTime() - longest) {
        await this.archive.dropPartition(partition.day);
        report.droppedDays.push(partition.day);
      }
    }
    partitions = partitions.filter((p) => !report.droppedDays.includes(p.day));
    if (this.policy.maxBytes > 0) {
      let total = partitions.reduce((sum, p) => sum + p.bytes, 0);
      for (const partition of partitions) {
        if (total <= this.policy.maxBytes || partition.day.getTime() >= today) break;
        await this.archive.dropPartition(partition.day);
        report.droppedDays.push(partition.day);
        total -= partition.bytes;
      }
    }
    const shorter = [...this.policy.ownerRetentionMs].filter(([, ms]) => ms < longest);
    for (const [owner, ms] of shorter) {
      report.deletedEvents += await this.deleteAll({ owner }, new Date(now.getTime() - ms));
    }
    if (this.policy.retentionMs < longest) {
      report.deletedEvents += await this.deleteAll(
        { exceptOwners: [...this.policy.ownerRetentionMs.keys()] },
        new Date(now.getTime() - this.policy.retentionMs),
      );
    }
    return report;
  }

  private async deleteAll(
    filter: Parameters<EventArchiveRepository['deleteOwned']>[0],
    before: Date,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.archive.deleteOwned(filter, before, this.policy.deleteBatchSize);
      total += deleted;
      if (deleted < this.policy.deleteBatchSize) return total;
    }
  }
}
