import { type Clock, errorText, type Log } from '@flint/common';
import type { CronMisfirePolicy } from '@flint/contracts';
import type { SourceHealth } from '@flint/provider-sdk';
import { type MisfirePlan, misfireLimit, planMisfire } from '../schedule/misfire-plan';
import { nextScheduleRecord } from '../schedule/schedule-record';
import type { CronTick, Schedule } from '@flint/provider-sdk';
import type { SlotLedger } from '../slots/slot-ledger';
import { slotJitterMs } from '../schedule/slot-jitter';

/** One slot being fired. */
export type Tick = CronTick;

/** Publishes a slot's event; resolves once Kafka acknowledged it. */
export type FireTick = (tick: Tick) => Promise<void>;

/**
 * Why missed slots were not fired: the `skip` policy, `fire-once` firing only the latest, or
 * `catch-up` firing only the latest `maxCatchUp`.
 */
export type SkippedSlotsReason = 'skip' | 'fire-once' | 'catch-up-limit';

const SKIP_REASONS: Record<CronMisfirePolicy, SkippedSlotsReason> = {
  skip: 'skip',
  'fire-once': 'fire-once',
  'catch-up': 'catch-up-limit',
};

/** Missed slots older than the ones a policy looks at are counted up to this many per outage. */
export const MAX_COUNTED_SKIPPED_SLOTS = 1_000;

export interface CronTimings {
  /** A slot this late (plus the jitter) is still fired as on time; later, the misfire policy decides. */
  lateToleranceMs: number;
  /** A claim never marked fired for this long belongs to a replica that died; it is handled again. */
  claimTimeoutMs: number;
  /**
   * A slot is claimed this long before it is due, so the claim's round trip to the database is not
   * on the way from the slot to its event; 0 claims it when due. Below `claimTimeoutMs`.
   */
  claimAheadMs: number;
  /** Fired and skipped slots are kept this long for inspection, then pruned. */
  retentionMs: number;
  /** How often old slots are pruned. */
  pruneEveryMs: number;
  /** Wait after a failed claim or fire before trying again; doubles up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export const DEFAULT_CRON_TIMINGS: CronTimings = {
  lateToleranceMs: 5_000,
  claimTimeoutMs: 60_000,
  claimAheadMs: 1_000,
  retentionMs: 24 * 3_600_000,
  pruneEveryMs: 10 * 60_000,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
};

export interface CronSourceRunnerOptions {
  sourceId: string;
  schedule: Schedule;
  misfire: CronMisfirePolicy;
  maxCatchUp: number;
  /** Largest delay added to a slot; 0 for none. */
  jitterMs: number;
  /** When the definition last changed (its `updatedAt`). */
  definedAt: number;
  /**
   * Identifies the schedule (expression and time zone). Slots before the schedule became the
   * source's were never its to fire; a change of anything else (jitter, misfire policy, payload)
   * keeps the slots already due, so a change while slots are pending neither skips nor repeats them.
   */
  scheduleKey: string;
  replicaId: string;
  ledger: SlotLedger;
  clock: Clock;
  log: Log;
  /** Where each pass's outcome goes: the source's status and `flint_source_up` (`ctx.health`). */
  health: Pick<SourceHealth, 'succeeded' | 'failed'>;
  fire: FireTick;
  /** Counts slots the misfire policy dropped; each outage is counted by one replica only. */
  onSkipped?: (reason: SkippedSlotsReason, count: number) => void;
  timings?: Partial<CronTimings>;
}

/** The most slots fired in one pass; a larger backlog is worked off pass after pass. */
const SLOTS_PER_PASS = 1_000;

/**
 * Runs one schedule: claims each slot in the ledger shortly before it is due (plus its jitter) so
 * only one replica fires it, sleeps until it is due, fires it, and marks it fired once Kafka
 * acknowledged the event. Slots that were
 * missed (downtime, a long outage of Kafka or the database, a replica that died mid-fire) go through
 * the misfire policy, and every skipped slot is logged.
 */
export class CronSourceRunner {
  private readonly timings: CronTimings;
  /** Every slot at or before it is decided: fired, skipped, or claimed by another replica. */
  private cursor = Number.NEGATIVE_INFINITY;
  private nextRecoveryAt = Number.NEGATIVE_INFINITY;
  private nextPruneAt = Number.NEGATIVE_INFINITY;
  private failures = 0;
  /** The jitter of the definition before this one, which slots due before the change keep. */
  private previousJitterMs = 0;
  /** The next slot, claimed by this runner ahead of its time and not fired yet. */
  private held: number | undefined;

  constructor(private readonly options: CronSourceRunnerOptions) {
    this.timings = { ...DEFAULT_CRON_TIMINGS, ...options.timings };
    const { claimAheadMs, claimTimeoutMs } = this.timings;
    if (!(claimAheadMs >= 0 && claimAheadMs < claimTimeoutMs)) {
      throw new RangeError(
        `claimAheadMs must be at least 0 and below claimTimeoutMs (${claimTimeoutMs}), got ${claimAheadMs}`,
      );
    }
  }

  /** Runs until `signal` is aborted; errors of the ledger or of firing are retried, not thrown. */
  async run(signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    try {
      while (!signal.aborted) {
        let waitMs: number;
        try {
          waitMs = await this.pass(signal);
          this.failures = 0;
          this.options.health.succeeded();
        } catch (err) {
          if (signal.aborted) return;
          this.options.health.failed(errorText(err));
          waitMs = this.retryDelay();
          this.options.log(
            'warn',
            `cron pass failed, retrying in ${waitMs} ms: ${errorText(err)}`,
            {
              error: errorText(err),
            },
          );
        }
        await clock.sleep(waitMs, signal);
      }
    } finally {
      await this.releaseHeld();
    }
  }

  /**
   * Handles every slot due now and claims the next one if it is due within `claimAheadMs`; returns
   * how long to sleep until the next slot is due, or until it is time to claim it.
   */
  private async pass(signal: AbortSignal): Promise<number> {
    const { schedule, clock } = this.options;
    if (this.cursor === Number.NEGATIVE_INFINITY) await this.loadCursor();
    let now = clock.now();
    await this.handleMissed(now, signal);
    // The slot claimed ahead goes first, before anything else costs time: it is the one waited for.
    if (this.held !== undefined && this.fireAt(this.held) <= now) {
      const slot = this.held;
      await this.fireSlot(slot, false, signal);
      this.cursor = slot;
      now = clock.now();
    }
    await this.prune(now);

    for (const slot of schedule.slotsBetween(this.cursor, now, SLOTS_PER_PASS)) {
      if (signal.aborted) return 0;
      if (this.fireAt(slot) > now) break;
      await this.fireSlot(slot, false, signal);
      this.cursor = slot;
      now = clock.now();
    }
    return this.claimNext();
  }

  /** Claims the next slot when it is due within `claimAheadMs`; returns how long to sleep. */
  private async claimNext(): Promise<number> {
    const { schedule, clock, ledger, sourceId, replicaId } = this.options;
    const { claimAheadMs, claimTimeoutMs } = this.timings;
    const next = schedule.nextAfter(this.cursor);
    const untilDue = this.fireAt(next) - clock.now();
    if (this.held === next || untilDue <= 0) return Math.max(0, untilDue);
    if (untilDue > claimAheadMs) return untilDue - claimAheadMs;
    if (await ledger.claim(sourceId, next, replicaId, claimTimeoutMs)) {
      this.held = next;
    } else {
      // Another replica holds it, so it is decided here; the one after is looked at next.
      this.cursor = next;
      return Math.max(0, this.fireAt(schedule.nextAfter(next)) - clock.now() - claimAheadMs);
    }
    return Math.max(0, this.fireAt(next) - clock.now());
  }

  /** Gives a claimed slot that will not be fired by this runner back to the ledger. */
  private async releaseHeld(): Promise<void> {
    if (this.held === undefined) return;
    const slot = this.held;
    this.held = undefined;
    const { ledger, sourceId, replicaId } = this.options;
    await ledger.release(sourceId, slot, replicaId).catch(() => undefined);
  }

  private async loadCursor(): Promise<void> {
    const { ledger, sourceId, scheduleKey, definedAt, jitterMs } = this.options;
    const stored = await ledger.schedule(sourceId);
    const record = nextScheduleRecord(stored, { scheduleKey, definedAt, jitterMs });
    if (record !== stored) await ledger.recordSchedule(sourceId, record);
    this.previousJitterMs = record.previousJitterMs;
    const watermark = await ledger.watermark(sourceId);
    this.cursor = Math.max(record.since, watermark ?? Number.NEGATIVE_INFINITY);
  }

  /**
   * Slots older than the late tolerance, and claims whose replica died, go through the misfire
   * policy. The cursor then moves past all of them.
   */
  private async handleMissed(now: number, signal: AbortSignal): Promise<void> {
    const { schedule, ledger, sourceId, misfire, maxCatchUp, replicaId } = this.options;
    const { claimTimeoutMs } = this.timings;
    const cutoff = this.missedCutoff(now);
    // Claimed ahead but now too late to count as on time: the misfire policy decides it like any other.
    if (this.held !== undefined && this.held <= cutoff) await this.releaseHeld();
    const stale =
      now >= this.nextRecoveryAt ? await ledger.staleClaims(sourceId, claimTimeoutMs) : [];
    if (now >= this.nextRecoveryAt) this.nextRecoveryAt = now + claimTimeoutMs;
    const recent =
      this.cursor < cutoff
        ? schedule.latestSlots(this.cursor, cutoff, misfireLimit(misfire, maxCatchUp))
        : { slots: [], more: false };
    const missed = [...stale, ...recent.slots];
    if (missed.length === 0) return;

    const plan = planMisfire(misfire, missed, maxCatchUp);
    const lastMissed = Math.max(...missed);
    // Rows only where they matter: dropped claims, and the newest slot so the watermark moves on.
    const skipRows = plan.skip.filter((slot) => stale.includes(slot) || slot === lastMissed);
    const recorded = await ledger.markSkipped(sourceId, skipRows, replicaId, claimTimeoutMs);
    const older =
      recent.more && recent.slots.length > 0
        ? schedule.countBetween(this.cursor, recent.slots[0] - 1, MAX_COUNTED_SKIPPED_SLOTS)
        : 0;
    const skipped = plan.skip.length + older;
    if (skipped > 0) this.logSkipped(plan, skipped, older >= MAX_COUNTED_SKIPPED_SLOTS);

    // The replica that records the newest missed slot (skipped, or claimed to fire) counts the outage.
    let counts = recorded.includes(lastMissed);
    for (const slot of plan.fire) {
      if (signal.aborted) return;
      const claimed = await this.fireSlot(slot, true, signal);
      if (slot === lastMissed) counts = claimed;
    }
    if (counts && skipped > 0) this.options.onSkipped?.(SKIP_REASONS[misfire], skipped);
    // Always a slot, never an arbitrary time: cron-parser's answers near DST changes depend on where
    // the walk starts, and they are right when it starts from a slot.
    this.cursor = Math.max(this.cursor, lastMissed);
  }

  /**
   * Slots at or before this are missed. A slot may be late by the tolerance plus the jitter; one due
   * before the definition changed keeps the previous jitter if that was longer, so a change while it
   * waits for its jitter fires it rather than treating it as missed. Once the new definition's own
   * allowance reaches past the change, it applies alone.
   */
  private missedCutoff(now: number): number {
    const { lateToleranceMs } = this.timings;
    const cutoff = now - lateToleranceMs - this.options.jitterMs;
    if (cutoff > this.options.definedAt) return cutoff;
    return Math.min(cutoff, now - lateToleranceMs - this.previousJitterMs);
  }

  /** `atLeast`: so many older slots were missed that they were not all counted. */
  private logSkipped(plan: MisfirePlan, skipped: number, atLeast: boolean): void {
    const { skip, fire } = plan;
    const count = atLeast ? `at least ${skipped}` : String(skipped);
    const which =
      skip.length > 0
        ? `up to ${new Date(skip[skip.length - 1]).toISOString()}`
        : `all before ${new Date(fire[0]).toISOString()}`;
    this.options.log(
      'warn',
      `skipped ${count} missed slot(s) of cron source ${this.options.sourceId} (misfire policy ${this.options.misfire}), ${which}`,
      { skipped },
    );
  }

  /**
   * Claims (unless claimed ahead) and fires one slot; a slot another replica holds counts as handled.
   * True if claimed.
   */
  private async fireSlot(slot: number, missed: boolean, signal: AbortSignal): Promise<boolean> {
    const { ledger, sourceId, replicaId, clock } = this.options;
    if (this.held === slot) {
      this.held = undefined;
    } else if (!(await ledger.claim(sourceId, slot, replicaId, this.timings.claimTimeoutMs))) {
      return false;
    }
    try {
      await this.options.fire({ scheduled: slot, actual: clock.now(), missed });
    } catch (err) {
      // Not fired: free the slot so no one mistakes it for fired; it is retried or handled as missed.
      await ledger.release(sourceId, slot, replicaId).catch(() => undefined);
      if (signal.aborted) return false;
      throw err;
    }
    try {
      await ledger.markFired(sourceId, slot, replicaId);
    } catch (err) {
      // The event is out; a claim left unmarked is only re-fired (same event id) after the claim timeout.
      this.options.log('warn', `could not mark slot ${new Date(slot).toISOString()} fired`, {
        error: errorText(err),
      });
    }
    return true;
  }

  private async prune(now: number): Promise<void> {
    if (now < this.nextPruneAt) return;
    this.nextPruneAt = now + this.timings.pruneEveryMs;
    const before = Math.min(this.cursor, now - this.timings.retentionMs);
    if (Number.isFinite(before)) await this.options.ledger.prune(this.options.sourceId, before);
  }

  private fireAt(slot: number): number {
    return slot + slotJitterMs(this.options.sourceId, slot, this.options.jitterMs);
  }

  private retryDelay(): number {
    this.failures += 1;
    const { retryDelayMs, maxRetryDelayMs } = this.timings;
    return Math.min(maxRetryDelayMs, retryDelayMs * 2 ** (this.failures - 1));
  }
}
