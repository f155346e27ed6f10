import type { Clock } from '@flint/common';
import type { ScheduleRecord } from '../../schedule/schedule-record';
import type { SlotLedger } from '../slot-ledger';

export interface LedgerRow {
  slot: number;
  status: 'claimed' | 'fired' | 'skipped';
  claimedBy: string;
  claimedAt: number;
}

/** The ledger's rules in memory, on a test clock, for unit tests of the runner. */
export class InMemorySlotLedger implements SlotLedger {
  readonly rows = new Map<string, Map<number, LedgerRow>>();
  readonly schedules = new Map<string, ScheduleRecord>();

  constructor(private readonly clock: Clock) {}

  private source(sourceId: string): Map<number, LedgerRow> {
    let rows = this.rows.get(sourceId);
    if (!rows) this.rows.set(sourceId, (rows = new Map()));
    return rows;
  }

  private isStale(row: LedgerRow, staleAfterMs: number): boolean {
    return row.status === 'claimed' && row.claimedAt < this.clock.now() - staleAfterMs;
  }

  async watermark(sourceId: string): Promise<number | undefined> {
    const slots = [...this.source(sourceId).keys()];
    return slots.length === 0 ? undefined : Math.max(...slots);
  }

  async claim(sourceId: string, slot: number, replicaId: string, staleAfterMs: number) {
    const rows = this.source(sourceId);
    const row = rows.get(slot);
    if (row && !this.isStale(row, staleAfterMs)) return false;
    rows.set(slot, { slot, status: 'claimed', claimedBy: replicaId, claimedAt: this.now() });
    return true;
  }

  async markFired(sourceId: string, slot: number, replicaId: string): Promise<void> {
    const row = this.source(sourceId).get(slot);
    if (row?.claimedBy === replicaId) row.status = 'fired';
  }

  async release(sourceId: string, slot: number, replicaId: string): Promise<void> {
    const row = this.source(sourceId).get(slot);
    if (row?.claimedBy === replicaId && row.status === 'claimed')
      this.source(sourceId).delete(slot);
  }

  async markSkipped(
    sourceId: string,
    slots: readonly number[],
    replicaId: string,
    staleAfterMs: number,
  ): Promise<number[]> {
    const rows = this.source(sourceId);
    const recorded: number[] = [];
    for (const slot of slots) {
      const row = rows.get(slot);
      if (row && !this.isStale(row, staleAfterMs)) continue;
      rows.set(slot, { slot, status: 'skipped', claimedBy: replicaId, claimedAt: this.now() });
      recorded.push(slot);
    }
    return recorded;
  }

  async staleClaims(sourceId: string, staleAfterMs: number): Promise<number[]> {
    return [...this.source(sourceId).values()]
      .filter((row) => this.isStale(row, staleAfterMs))
      .map((row) => row.slot)
      .sort((a, b) => a - b);
  }

  async prune(sourceId: string, before: number): Promise<void> {
    const rows = this.source(sourceId);
    for (const row of [...rows.values()]) {
      if (row.slot < before && row.status !== 'claimed') rows.delete(row.slot);
    }
  }

  async schedule(sourceId: string): Promise<ScheduleRecord | undefined> {
    return this.schedules.get(sourceId);
  }

  async recordSchedule(sourceId: string, record: ScheduleRecord): Promise<void> {
    this.schedules.set(sourceId, record);
  }

  async forgetSchedule(sourceId: string): Promise<void> {
    this.schedules.delete(sourceId);
  }

  /** Slots of a source with the given status, oldest first. */
  slots(sourceId: string, status: LedgerRow['status']): number[] {
    return [...this.source(sourceId).values()]
      .filter((row) => row.status === status)
      .map((row) => row.slot)
      .sort((a, b) => a - b);
  }

  private now(): number {
    return this.clock.now();
  }
}
