import {
  CRON_TICK_EVENT_TYPE,
  type CronConfig,
  type CronTickData,
  cronTickEventId,
} from '@flint/contracts';
import type { EmitInput } from '@flint/provider-sdk';
import type { Tick } from './cron-source-runner';

/** The event of one fired slot: its id is stable per slot, so a re-fired slot is recognised. */
export function tickEvent(sourceId: string, config: CronConfig, tick: Tick): EmitInput {
  const scheduled = new Date(tick.scheduled);
  const data: CronTickData = {
    scheduledTime: scheduled.toISOString(),
    actualTime: new Date(tick.actual).toISOString(),
    missed: tick.missed,
    schedule: config.schedule,
    timezone: config.timezone,
    ...(config.payload === undefined ? {} : { payload: config.payload }),
  };
  return {
    id: cronTickEventId(sourceId, scheduled),
    type: CRON_TICK_EVENT_TYPE,
    time: scheduled,
    data,
  };
}
