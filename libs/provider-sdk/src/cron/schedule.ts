import { everyIntervalMs } from '@flint/contracts';
import { type CronExpression, CronExpressionParser } from 'cron-parser';

/** The most recent slots of a window, and whether older ones were left out. */
export interface RecentSlots {
  /** Oldest first. */
  slots: number[];
  /** True when the window holds more slots than were asked for. */
  more: boolean;
}

/**
 * When a schedule fires, as epoch milliseconds. Slots are pure functions of the expression and time
 * zone, so every replica computes the same ones.
 */
export interface Schedule {
  /** The first slot strictly after `after`. */
  nextAfter(after: number): number;
  /** Slots in (`after`, `until`], oldest first, at most `limit` (the earliest ones). */
  slotsBetween(after: number, until: number, limit: number): number[];
  /** Slots in (`after`, `until`], the latest `limit` of them, oldest first. */
  latestSlots(after: number, until: number, limit: number): RecentSlots;
  /**
   * How many slots are in (`after`, `until`]: exact for `@every`, counted up to `cap` for a cron
   * expression (each is computed, so a long window of a dense schedule would take long).
   */
  countBetween(after: number, until: number, cap: number): number;
}

export class ScheduleError extends Error {
  override readonly name = 'ScheduleError';
}

/** A cron expression (5 or 6 fields, or a macro like `@daily`) or `@every <duration>`. */
export function parseSchedule(expression: string, timezone: string): Schedule {
  const intervalMs = everyIntervalMs(expression);
  if (intervalMs !== undefined) return new IntervalSchedule(intervalMs);
  return new CronSchedule(expression.trim(), timezone);
}

/**
 * `@every <duration>`: slots on multiples of the interval since the Unix epoch, so they do not depend
 * on when a replica started (`@every 30s` fires at :00 and :30; `@every 1h` on the hour, UTC).
 */
export class IntervalSchedule implements Schedule {
  constructor(readonly intervalMs: number) {
    if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0) {
      throw new ScheduleError(`interval must be a positive number of milliseconds: ${intervalMs}`);
    }
  }

  nextAfter(after: number): number {
    return (Math.floor(after / this.intervalMs) + 1) * this.intervalMs;
  }

  slotsBetween(after: number, until: number, limit: number): number[] {
    const slots: number[] = [];
    for (let slot = this.nextAfter(after); slot <= until && slots.length < limit;) {
      slots.push(slot);
      slot += this.intervalMs;
    }
    return slots;
  }

  latestSlots(after: number, until: number, limit: number): RecentSlots {
    const last = Math.floor(until / this.intervalMs) * this.intervalMs;
    const first = this.nextAfter(after);
    if (last < first || limit <= 0) return { slots: [], more: last >= first };
    const total = (last - first) / this.intervalMs + 1;
    const count = Math.min(limit, total);
    const slots = Array.from({ length: count }, (_, i) => last - (count - 1 - i) * this.intervalMs);
    return { slots, more: total > count };
  }

  countBetween(after: number, until: number): number {
    const first = this.nextAfter(after);
    if (until < first) return 0;
    return Math.floor((until - first) / this.intervalMs) + 1;
  }
}

/**
 * A cron expression in an IANA time zone, computed by cron-parser. Across DST changes a local time
 * that does not exist (spring forward) fires once, shifted by the gap; one that occurs twice (fall
 * back) fires once, at its first occurrence. Slots are found walking forward from a slot (or from the
 * start of the definition), which is what gives those answers.
 */
export class CronSchedule implements Schedule {
  /**
   * Parsed once and moved to each walk's start with `reset`: parsing on every call was most of the
   * work of a slot (1,000 schedules due on the same second waited ~0.2 ms each for it). Safe to share
   * because every walk runs to its end synchronously, before the next `reset`.
   */
  private readonly parsed: CronExpression;
  /**
   * The last `nextAfter` answer. Every schedule due at a slot asks for the slot after it, once on
   * waking and again to plan the next sleep: a walk each was the largest cost of a slot when 1,000
   * sources share the schedule (the cron service gives sources with the same one the same object).
   */
  private lastNext = { after: Number.NaN, next: Number.NaN };

  constructor(
    readonly expression: string,
    readonly timezone: string,
  ) {
    try {
      this.parsed = CronExpressionParser.parse(expression, {
        currentDate: new Date(),
        tz: timezone,
      });
      this.parsed.next();
    } catch (err) {
      throw new ScheduleError(
        `cannot compute "${expression}" in time zone "${timezone}": ${(err as Error).message}`,
      );
    }
  }

  nextAfter(after: number): number {
    if (after === this.lastNext.after) return this.lastNext.next;
    const next = this.iterator(after).next().getTime();
    this.lastNext = { after, next };
    return next;
  }

  slotsBetween(after: number, until: number, limit: number): number[] {
    const slots: number[] = [];
    if (limit <= 0 || this.nextAfter(after) > until) return slots;
    const iterator = this.iterator(after);
    while (slots.length < limit) {
      const slot = iterator.next().getTime();
      if (slot > until) break;
      slots.push(slot);
    }
    return slots;
  }

  latestSlots(after: number, until: number, limit: number): RecentSlots {
    if (limit <= 0) return { slots: [], more: this.nextAfter(after) <= until };
    // Forward iteration is the truth: cron-parser's `prev` disagrees with `next` across DST changes.
    // `prev` only finds where to start, so a long window of a dense schedule is not walked whole.
    const start = Math.max(after, this.anchorBefore(until, limit + 1) - 1);
    const found = this.slotsBetween(start, until, Number.POSITIVE_INFINITY);
    const slots = found.slice(-limit);
    const more =
      found.length > slots.length || (slots.length > 0 && this.nextAfter(after) < slots[0]);
    return { slots, more };
  }

  countBetween(after: number, until: number, cap: number): number {
    return this.slotsBetween(after, until, cap).length;
  }

  /** The `count`-th slot before `until` going back, or -Infinity when there are fewer. */
  private anchorBefore(until: number, count: number): number {
    // `prev` returns slots strictly before its start, so start just after `until` to include it.
    const iterator = this.iterator(until + 1);
    let slot: number | undefined = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < count; i++) {
      slot = prevOrUndefined(iterator);
      if (slot === undefined) return Number.NEGATIVE_INFINITY;
    }
    return slot;
  }

  private iterator(from: number): CronExpression {
    this.parsed.reset(new Date(from));
    return this.parsed;
  }
}

function prevOrUndefined(iterator: CronExpression) {
  // cron-parser gives up when no earlier date exists (e.g. before the epoch of a yearly schedule).
  try {
    return iterator.prev().getTime();
  } catch {
    return undefined;
  }
}
