import type { EmitInput } from '@flint/provider-sdk';
import { contextKey } from './context-key';

/** The last event a context fired while `allowConcurrent` is false, kept in the source's state. */
export interface FiredContext {
  eventId: string;
  /** ISO time it was emitted; runs it caused were claimed after it. */
  emittedAt: string;
}

/** What the runs table says about the runs an event caused. */
export type RunsOfEvent = 'none' | 'in-progress' | 'finished';

export interface FiringPlan {
  events: EmitInput[];
  /** Contexts left out because the run they started is still going. */
  skipped: number;
  /** The fired contexts to remember, by key (bounded: the most recent MAX_REMEMBERED). */
  remembered: Record<string, FiredContext>;
}

/** Contexts remembered per source; an older context fires again as if new. */
export const MAX_REMEMBERED = 1000;

/**
 * Turns what a poll fired into events. Each context is one event with the context as data and its
 * key (`contextKey`) as `subject`, so a trigger can dedupe or key its concurrency on
 * `event.subject`.
 *
 * With `allowConcurrent: true` each poll's event has an id of its own, so every poll fires. With
 * `false` the id is remembered: while no run of that event has been claimed yet the same id is sent
 * again (a run id is derived from the event id, so the runner starts it once); while a run it
 * caused is in progress the context is skipped; once its runs finished, a new id fires again.
 */
export async function planFiring(options: {
  contexts: readonly unknown[];
  allowConcurrent: boolean;
  eventType: string;
  now: Date;
  remembered: Readonly<Record<string, FiredContext>>;
  runsOf: (fired: FiredContext) => Promise<RunsOfEvent>;
}): Promise<FiringPlan> {
  const { now, eventType } = options;
  const remembered: Record<string, FiredContext> = { ...options.remembered };
  const events: EmitInput[] = [];
  const inThisPoll = new Set<string>();
  let skipped = 0;
  for (const context of options.contexts) {
    const key = contextKey(context);
    if (inThisPoll.has(key)) continue;
    inThisPoll.add(key);
    const freshId = `${key}.${now.getTime()}`;
    let eventId = freshId;
    if (!options.allowConcurrent) {
      const previous = remembered[key];
      const runs = previous === undefined ? 'finished' : await options.runsOf(previous);
      if (runs === 'in-progress') {
        skipped++;
        continue;
      }
      if (runs === 'none') eventId = previous!.eventId;
      delete remembered[key];
      remembered[key] = {
        eventId,
        emittedAt: runs === 'none' ? previous!.emittedAt : now.toISOString(),
      };
    }
    events.push({ id: eventId, type: eventType, subject: key, data: context });
  }
  return { events, skipped, remembered: newest(remembered, MAX_REMEMBERED) };
}

/** The last `max` entries in insertion order (re-fired contexts were moved to the end). */
function newest(entries: Record<string, FiredContext>, max: number): Record<string, FiredContext> {
  const all = Object.entries(entries);
  return Object.fromEntries(all.slice(Math.max(0, all.length - max)));
}
