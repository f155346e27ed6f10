import { sharedCounter } from '@flint/service-kit';
import type { Counter, Registry } from 'prom-client';
import type { SkippedSlotsReason } from './cron-source-runner';

export const CRON_SLOTS_SKIPPED_METRIC = 'triggers_cron_slots_skipped_total';

/** Missed slots the misfire policy did not fire, by why; counted once across replicas. */
export function cronSlotsSkippedCounter(registry: Registry): Counter<'reason'> {
  return sharedCounter(registry, {
    name: CRON_SLOTS_SKIPPED_METRIC,
    help: 'Cron slots missed (downtime, outage) and not fired: reason skip (misfire policy skip), fire-once (older than the slot fired), catch-up-limit (beyond maxCatchUp).',
    labelNames: ['reason'],
  });
}

/** Every reason, so each series exists (at 0) from the start. */
export const SKIPPED_SLOTS_REASONS: readonly SkippedSlotsReason[] = [
  'skip',
  'fire-once',
  'catch-up-limit',
];
