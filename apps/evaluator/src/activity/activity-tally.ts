import type { CloudEvent } from '@flint/contracts';
import type { TriggerResult } from '../evaluator-metrics';

/** The order of a trigger's counts in a tally; `received` is their sum. */
export const ACTIVITY_RESULTS = ['matched', 'dropped', 'duplicate', 'error'] as const;
/** A delayed event will run, so it counts as matched; a rate-limited one as dropped. */
const SLOT: Record<TriggerResult, number> = {
  matched: 0,
  dropped: 1,
  duplicate: 2,
  error: 3,
  rate_limited: 1,
  delayed: 0,
  cancelling: 0,
};

/**
 * What one pass over a batch of events did, per trigger and per source. Like the metrics tally it is
 * applied only once the pass's output is in Kafka, so a retried batch is not counted twice. Kept
 * cheap for the hot path: one array per trigger, events by reference.
 */
export class ActivityTally {
  /** Trigger id → counts in `ACTIVITY_RESULTS` order. */
  readonly triggers = new Map<string, number[]>();
  /** The source each recorded event belongs to, index for index with `events`. */
  readonly sourceIds: string[] = [];
  readonly events: CloudEvent[] = [];
  /** Events consumed in the pass, each once, whether or not any trigger or source wanted it. */
  consumed = 0;

  count(triggerId: string, result: TriggerResult): void {
    let counts = this.triggers.get(triggerId);
    if (counts === undefined) {
      counts = [0, 0, 0, 0];
      this.triggers.set(triggerId, counts);
    }
    counts[SLOT[result]]++;
  }

  consume(): void {
    this.consumed++;
  }

  event(sourceId: string, event: CloudEvent): void {
    this.sourceIds.push(sourceId);
    this.events.push(event);
  }
}
