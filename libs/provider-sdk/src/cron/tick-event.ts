import {
  CRON_TICK_EVENT_TYPE,
  type CronConfig,
  type CronTickData,
  cronTickEventId,
} from '@flint/contracts';
import type { EmitInput } from '../provider';

/** One slot being fired. */
export interface CronTick {
  /** The slot, epoch milliseconds. */
  scheduled: number;
  /** When it is fired (after any jitter). */
  actual: number;
  /** Fired by the misfire policy after it was missed, rather than on time. */
  missed: boolean;
  /** Fired by a person (`flint trigger-now`, `flint backfill`), not by the schedule. */
  manual?: boolean;
}

/**
 * The event of one fired slot: its id is stable per slot, so a re-fired slot is recognised, whether
 * the cron service or a backfill fires it. `flint trigger-now` fires no slot of the schedule: its
 * event gets an id of its own (`eventId`).
 */
export function tickEvent(
  sourceId: string,
  config: CronConfig,
  tick: CronTick,
  eventId?: string,
): EmitInput {
  const scheduled = new Date(tick.scheduled);
  const data: CronTickData = {
    scheduledTime: scheduled.toISOString(),
    actualTime: new Date(tick.actual).toISOString(),
    missed: tick.missed,
    ...(tick.manual ? { manual: true } : {}),
    schedule: config.schedule,
    timezone: config.timezone,
    ...(config.payload === undefined ? {} : { payload: config.payload }),
  };
  return {
    id: eventId ?? cronTickEventId(sourceId, scheduled),
    type: CRON_TICK_EVENT_TYPE,
    time: scheduled,
    data,
  };
}
