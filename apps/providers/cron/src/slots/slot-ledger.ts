import type { ScheduleRecord } from '../schedule/schedule-record';

/**
 * Where the slots of every cron source are claimed and recorded, shared by all replicas. A slot's
 * row is its claim: the replica whose insert wins fires it.
 */
export interface SlotLedger {
  /** The latest slot of the source any replica claimed, fired or skipped. */
  watermark(sourceId: string): Promise<number | undefined>;
  /**
   * Claims a slot for `replicaId`: true when the slot was free, or claimed but never fired by a
   * replica that held it longer than `staleAfterMs` (so it died).
   */
  claim(sourceId: string, slot: number, replicaId: string, staleAfterMs: number): Promise<boolean>;
  /** Records that the slot's event was acknowledged by Kafka. */
  markFired(sourceId: string, slot: number, replicaId: string): Promise<void>;
  /** Gives up our claim of a slot we could not fire, so it is not mistaken for a fired one. */
  release(sourceId: string, slot: number, replicaId: string): Promise<void>;
  /**
   * Records slots the misfire policy dropped; a fresh claim of another replica, or a slot already
   * decided, is left alone. Returns the slots this call recorded.
   */
  markSkipped(
    sourceId: string,
    slots: readonly number[],
    replicaId: string,
    staleAfterMs: number,
  ): Promise<number[]>;
  /** Slots claimed longer than `staleAfterMs` ago and never fired: their replica died mid-fire. */
  staleClaims(sourceId: string, staleAfterMs: number): Promise<number[]>;
  /** Forgets fired and skipped slots before `before` (the watermark row is kept by the caller). */
  prune(sourceId: string, before: number): Promise<void>;
  /** The source's schedule record, if one was written. */
  schedule(sourceId: string): Promise<ScheduleRecord | undefined>;
  recordSchedule(sourceId: string, record: ScheduleRecord): Promise<void>;
  /** Forgets the recorded schedule of a disabled or deleted source, so it starts afresh if it returns. */
  forgetSchedule(sourceId: string): Promise<void>;
}
