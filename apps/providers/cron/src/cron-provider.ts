import { type CronConfig, parseDuration } from '@flint/contracts';
import {
  type Emit,
  InvalidSourceError,
  parseSchedule,
  type Schedule,
  type SourceContext,
  type SourceOf,
  type SourceProviderImpl,
  tickEvent,
} from '@flint/provider-sdk';
import type { Queryable, Store } from '@flint/store';
import type { Counter, Registry } from 'prom-client';
import { cronSlotsSkippedCounter, SKIPPED_SLOTS_REASONS } from './firing/cron-metrics';
import { CronSourceRunner, type CronTimings } from './firing/cron-source-runner';
import { DEFAULT_MAX_CATCH_UP } from './schedule/misfire-plan';
import type { SlotLedger } from './slots/slot-ledger';
import { SqlSlotLedger } from './slots/sql-slot-ledger';

/** A cron source ready to run: its schedule computed once at validation. */
export interface PreparedCron {
  config: CronConfig;
  schedule: Schedule;
  jitterMs: number;
  maxCatchUp: number;
}

export interface CronProviderOptions {
  timings?: Partial<CronTimings>;
  /** Where slots are claimed; the `cron_slots` table of the service's store by default. */
  ledger?: (db: Queryable) => SlotLedger;
  /** Where `triggers_cron_slots_skipped_total{reason}` is registered. */
  registry?: Registry;
}

/** Most schedules kept for sharing; past it the oldest is dropped (sources keep theirs). */
const SHARED_SCHEDULES = 1_000;

/**
 * Fires the slots of every cron source. Not exclusive: every replica runs every schedule and the
 * slot ledger lets exactly one of them fire each slot, so a replica's death delays nothing.
 */
export class CronProvider implements SourceProviderImpl<'cron', PreparedCron> {
  readonly kind = 'cron';
  private readonly skipped: Counter<'reason'> | undefined;
  /**
   * One schedule object per expression and time zone, shared by the sources that have it: a slot's
   * sources then ask it the same questions, and it keeps its last answer (`CronSchedule`).
   */
  private readonly schedules = new Map<string, Schedule>();

  constructor(private readonly options: CronProviderOptions = {}) {
    if (options.registry) {
      this.skipped = cronSlotsSkippedCounter(options.registry);
      for (const reason of SKIPPED_SLOTS_REASONS) this.skipped.inc({ reason }, 0);
    }
  }

  validate(config: CronConfig): PreparedCron {
    try {
      return {
        config,
        schedule: this.schedule(config.schedule, config.timezone),
        jitterMs: config.jitter === undefined ? 0 : parseDuration(config.jitter),
        maxCatchUp: config.maxCatchUp ?? DEFAULT_MAX_CATCH_UP,
      };
    } catch (err) {
      throw new InvalidSourceError(`invalid schedule: ${(err as Error).message}`);
    }
  }

  async run(ctx: SourceContext<'cron', PreparedCron>, emit: Emit): Promise<void> {
    const { config, schedule, jitterMs, maxCatchUp } = ctx.config;
    const source: SourceOf<'cron'> = ctx.source;
    const runner = new CronSourceRunner({
      sourceId: source.id,
      schedule,
      misfire: config.misfire,
      maxCatchUp,
      jitterMs,
      definedAt: Date.parse(source.updatedAt),
      scheduleKey: JSON.stringify([config.schedule.trim(), config.timezone]),
      replicaId: ctx.replicaId,
      ledger: this.ledger(ctx.store),
      clock: ctx.clock,
      log: ctx.log,
      health: ctx.health,
      fire: async (tick) => {
        await emit(tickEvent(source.id, config, tick));
      },
      onSkipped: (reason, count) => this.skipped?.inc({ reason }, count),
      timings: this.options.timings,
    });
    await runner.run(ctx.signal);
  }

  /** A disabled or deleted source forgets its schedule: enabled again, it misses nothing from before. */
  async retire(source: SourceOf<'cron'>, store: Store): Promise<void> {
    await this.ledger(store).forgetSchedule(source.id);
  }

  private schedule(expression: string, timezone: string): Schedule {
    const key = JSON.stringify([expression, timezone]);
    let schedule = this.schedules.get(key);
    if (schedule === undefined) {
      schedule = parseSchedule(expression, timezone);
      if (this.schedules.size >= SHARED_SCHEDULES) {
        this.schedules.delete(this.schedules.keys().next().value as string);
      }
      this.schedules.set(key, schedule);
    }
    return schedule;
  }

  private ledger(db: Queryable): SlotLedger {
    return (this.options.ledger ?? ((queryable) => new SqlSlotLedger(queryable)))(db);
  }
}
