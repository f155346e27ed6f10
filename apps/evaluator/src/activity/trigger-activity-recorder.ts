import type { Log } from '@flint/common';
import type { CloudEvent } from '@flint/contracts';
import {
  ALL_EVENTS,
  type ActivityBounds,
  type ActivityFlush,
  type RecentEvent,
  type SourceActivityRow,
  type TriggerActivityRow,
} from '@flint/store';
import type { ActivityTally } from './activity-tally';

/** Where flushed activity goes: the store's `ActivityRepository`, one transaction per flush. */
export interface ActivitySink {
  record(flush: ActivityFlush, bounds: ActivityBounds): Promise<void>;
}

export interface TriggerActivityRecorderOptions {
  sink: ActivitySink;
  now: () => number;
  flushIntervalMs: number;
  /** Recent events kept per source, in memory between flushes and in the database. */
  eventsPerSource: number;
  /** How long per-minute counts are kept in the database. */
  retentionMs: number;
  /** Longest data excerpt stored with a recent event, in characters. */
  excerptChars: number;
  log: Log;
}

const MINUTE_MS = 60_000;

/**
 * Aggregates what the evaluator decided in memory — counts per trigger and minute, the last events of
 * each source — and writes it to the database in one transaction every `flushIntervalMs` and when
 * the evaluator stops. Nothing is written per event: at hundreds of thousands of events a second
 * the hot path only adds to a map and keeps a reference to the event. A flush that fails keeps its
 * data for the next one.
 */
export class TriggerActivityRecorder {
  /** Minute start (ms) → trigger id → counts in `ACTIVITY_RESULTS` order. */
  private counts = new Map<number, Map<string, number[]>>();
  private recent = new Map<string, CloudEvent[]>();
  /** Minute start (ms) → source id (or `ALL_EVENTS`) → events. */
  private consumed = new Map<number, Map<string, number>>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly options: TriggerActivityRecorderOptions) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  apply(tally: ActivityTally): void {
    const minute = Math.floor(this.options.now() / MINUTE_MS) * MINUTE_MS;
    let byTrigger = this.counts.get(minute);
    if (byTrigger === undefined) {
      byTrigger = new Map();
      this.counts.set(minute, byTrigger);
    }
    // A tally is applied once and then dropped, so its arrays can be kept as they are.
    addCounts(byTrigger, tally.triggers);
    let bySource = this.consumed.get(minute);
    if (bySource === undefined) {
      bySource = new Map();
      this.consumed.set(minute, bySource);
    }
    const counts = new Map<string, number>();
    if (tally.consumed > 0) counts.set(ALL_EVENTS, tally.consumed);
    for (const sourceId of tally.sourceIds) counts.set(sourceId, (counts.get(sourceId) ?? 0) + 1);
    addConsumed(bySource, counts);
    const keep = this.options.eventsPerSource;
    for (let i = 0; i < tally.events.length; i++) {
      const sourceId = tally.sourceIds[i]!;
      let events = this.recent.get(sourceId);
      if (events === undefined) {
        events = [];
        this.recent.set(sourceId, events);
      }
      events.push(tally.events[i]!);
      // Trimmed in steps, not on every event, so keeping the last N stays O(1) per event.
      if (events.length >= keep * 2) events.splice(0, events.length - keep);
    }
  }

  /** Writes everything aggregated so far; concurrent calls run one after another. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushOnce());
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    if (this.counts.size === 0 && this.recent.size === 0 && this.consumed.size === 0) return;
    const counts = this.counts;
    const recent = this.recent;
    const consumed = this.consumed;
    this.counts = new Map();
    this.recent = new Map();
    this.consumed = new Map();
    try {
      await this.options.sink.record(
        {
          counts: countRows(counts),
          events: this.recentRows(recent),
          sourceCounts: consumedRows(consumed),
        },
        {
          eventsPerSource: this.options.eventsPerSource,
          countsSince: new Date(this.options.now() - this.options.retentionMs),
        },
      );
    } catch (err) {
      this.restore(counts, recent, consumed);
      this.options.log(
        'warn',
        'could not record trigger activity; trying again with the next flush',
        {
          error: err instanceof Error ? err.message : String(err),
        },
      );
    }
  }

  private recentRows(recent: Map<string, CloudEvent[]>): RecentEvent[] {
    const rows: RecentEvent[] = [];
    for (const [sourceId, events] of recent) {
      for (const event of events.slice(-this.options.eventsPerSource)) {
        rows.push(recentEvent(sourceId, event, this.options.excerptChars));
      }
    }
    return rows;
  }

  /** Puts a failed flush's data back in front of what arrived meanwhile. */
  private restore(
    counts: Map<number, Map<string, number[]>>,
    recent: Map<string, CloudEvent[]>,
    consumed: Map<number, Map<string, number>>,
  ): void {
    for (const [minute, add] of this.consumed) {
      const bySource = consumed.get(minute);
      if (bySource === undefined) consumed.set(minute, add);
      else addConsumed(bySource, add);
    }
    this.consumed = consumed;
    for (const [minute, add] of this.counts) {
      const byTrigger = counts.get(minute);
      if (byTrigger === undefined) counts.set(minute, add);
      else addCounts(byTrigger, add);
    }
    this.counts = counts;
    for (const [sourceId, events] of this.recent) {
      recent.set(sourceId, [...(recent.get(sourceId) ?? []), ...events]);
    }
    for (const events of recent.values()) {
      if (events.length > this.options.eventsPerSource) {
        events.splice(0, events.length - this.options.eventsPerSource);
      }
    }
    this.recent = recent;
  }
}

function addCounts(into: Map<string, number[]>, add: ReadonlyMap<string, number[]>): void {
  for (const [triggerId, counts] of add) {
    const existing = into.get(triggerId);
    if (existing === undefined) into.set(triggerId, counts);
    else for (let i = 0; i < counts.length; i++) existing[i]! += counts[i]!;
  }
}

function addConsumed(into: Map<string, number>, add: ReadonlyMap<string, number>): void {
  for (const [sourceId, events] of add) into.set(sourceId, (into.get(sourceId) ?? 0) + events);
}

function consumedRows(consumed: Map<number, Map<string, number>>): SourceActivityRow[] {
  const rows: SourceActivityRow[] = [];
  for (const [minute, bySource] of consumed) {
    for (const [sourceId, events] of bySource) {
      rows.push({ sourceId, minute: new Date(minute), events });
    }
  }
  return rows;
}

function countRows(counts: Map<number, Map<string, number[]>>): TriggerActivityRow[] {
  const rows: TriggerActivityRow[] = [];
  for (const [minute, byTrigger] of counts) {
    for (const [triggerId, [matched = 0, dropped = 0, duplicate = 0, errors = 0]] of byTrigger) {
      rows.push({
        triggerId,
        minute: new Date(minute),
        received: matched + dropped + duplicate + errors,
        matched,
        dropped,
        duplicate,
        errors,
      });
    }
  }
  return rows;
}

export function recentEvent(
  sourceId: string,
  event: CloudEvent,
  excerptChars: number,
): RecentEvent {
  const excerpt = dataExcerpt(event.data, excerptChars);
  const traceId = event.traceparent?.split('-')[1];
  return {
    sourceId,
    eventId: event.id,
    type: event.type,
    time: new Date(event.time),
    acceptedAt: new Date(event.flintacceptedat),
    provider: event.flintprovider,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    ...(traceId === undefined ? {} : { traceId }),
    ...(excerpt.text === undefined ? {} : { dataExcerpt: excerpt.text }),
    dataTruncated: excerpt.truncated,
  };
}

/** The start of an event's data as text: JSON for structured data, a note for bytes. */
export function dataExcerpt(
  data: unknown,
  maxChars: number,
): { text?: string; truncated: boolean } {
  if (data === undefined || data === null) return { truncated: false };
  let text: string;
  if (data instanceof Uint8Array) text = `(${data.length} bytes of binary data)`;
  else if (typeof data === 'string') text = data;
  else text = JSON.stringify(data);
  return text.length > maxChars
    ? { text: text.slice(0, maxChars), truncated: true }
    : { text, truncated: false };
}
