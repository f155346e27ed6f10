import { backoffDelay, type Clock, type Log, type TimerHandle } from '@flint/common';
import type { CloudEvent } from '@flint/contracts';
import { type CompiledTrigger, eventFromJson, eventJson } from '@flint/conditions';
import { keyHash } from '../storable-text';
import type { BatchAddResult, ClosedBatch, NewBatchMember, PendingBatch } from './batch-repository';

/** Where batches are persisted; `EvaluatorBatchRepository` in production. */
export interface BatchStore {
  add(member: NewBatchMember): Promise<BatchAddResult>;
  close(batchId: string): Promise<ClosedBatch | undefined>;
  markEmitted(batchId: string, keepUntil: Date): Promise<void>;
  discard(batchId: string): Promise<void>;
  satisfy(triggerId: string, batchKey: string, keepUntil: Date): Promise<string[]>;
  pending(partitions: readonly number[]): Promise<PendingBatch[]>;
}

/** Sends a closed batch's run request and resolves once Kafka has it; throws to be retried. */
export type EmitBatch = (trigger: CompiledTrigger, events: CloudEvent[]) => Promise<void>;

export interface BatchManagerOptions {
  store: BatchStore;
  clock: Clock;
  /** The current version of a trigger, or undefined when it was deleted or disabled. */
  trigger: (id: string) => CompiledTrigger | undefined;
  emit: EmitBatch;
  log: Log;
}

export type BatchAddOutcome =
  { status: 'added'; batchId: string; full: boolean } | { status: 'duplicate' };

interface TrackedBatch {
  id: string;
  triggerId: string;
  keyHash: string;
  partition: number;
  timer?: TimerHandle;
}

const RETRY = { initialMs: 1000, maxMs: 30_000 };

/**
 * Collects events into batches per trigger, batch key and partition, and emits a batch when it is full
 * or its timeout passes. A debounce is a batch whose deadline each event moves to one quiet period
 * later (never past its `maxWait`), so it shares all of what follows.
 *
 * No batched event is lost when the process dies, because every event is persisted to its batch
 * before its offset is committed, and a batch leaves the store only after its run request is in
 * Kafka. Holding offsets back instead would not work: one partition's events feed many triggers'
 * batches, so one slow batch would hold back the commits (and force the replay) of everything behind
 * it, and a replay would regroup batches that were already emitted.
 *
 * A partition's batches belong to whoever owns the partition: on assignment they are loaded and their
 * timers set; on revocation the timers are dropped (not the batches: the new owner emits them).
 */
export class BatchManager {
  private readonly tracked = new Map<string, TrackedBatch>();
  private readonly owned = new Set<number>();
  private readonly loading = new Map<number, Promise<void>>();
  private readonly flushing = new Map<string, Promise<void>>();
  private readonly attempts = new Map<string, number>();
  private stopped = false;

  constructor(private readonly options: BatchManagerOptions) {}

  /** The partitions this evaluator now owns; loads the batches of new ones, lets go of the rest. */
  async assign(partitions: readonly number[]): Promise<void> {
    const wanted = new Set(partitions);
    for (const partition of [...this.owned]) {
      if (wanted.has(partition)) continue;
      this.owned.delete(partition);
      for (const batch of [...this.tracked.values()]) {
        if (batch.partition === partition) this.untrack(batch.id);
      }
    }
    await Promise.all(partitions.map((partition) => this.own(partition)));
  }

  /** Persists the event into its batch; `full` means the caller should flush the batch now. */
  async add(
    trigger: CompiledTrigger,
    batchKey: string,
    partition: number,
    event: CloudEvent,
  ): Promise<BatchAddOutcome> {
    await this.own(partition);
    const now = this.options.clock.now();
    const { timeoutMs, quietMs, maxWaitMs } = timingOf(trigger);
    const result = await this.options.store.add({
      triggerId: trigger.id,
      batchKey,
      partition,
      eventId: event.id,
      event: eventJson(event),
      openedAt: new Date(now),
      deadlineAt: timeoutMs === undefined ? null : new Date(now + timeoutMs),
      maxSize: trigger.batch?.size,
      ...(quietMs !== undefined && { quietUntil: new Date(now + quietMs), maxWaitMs }),
    });
    if (result.status === 'duplicate') return result;
    const { batch } = result;
    const tracked = this.tracked.get(batch.id);
    if (!tracked) this.track(batch);
    else if (quietMs !== undefined && batch.deadlineAt !== null && !this.flushing.has(batch.id)) {
      // The event moved the debounce's (or silence's) deadline: its timer follows.
      this.schedule(tracked, Math.max(0, batch.deadlineAt.getTime() - now));
    }
    return { status: 'added', batchId: batch.id, full: batch.status === 'closed' };
  }

  /**
   * Emits the batch: freezes its members, sends its run request, marks it emitted. Concurrent calls
   * for one batch share one attempt. Resolves either way: a failed attempt is retried with backoff
   * while the batch waits, closed, in the store (where whoever loads it after a crash finds it too).
   */
  flush(batchId: string): Promise<void> {
    let flushing = this.flushing.get(batchId);
    if (!flushing) {
      flushing = this.emit(batchId)
        .catch((err: unknown) => this.retryLater(batchId, err))
        .finally(() => this.flushing.delete(batchId));
      this.flushing.set(batchId, flushing);
    }
    return flushing;
  }

  /**
   * Emits every batch of this evaluator whose key is `batchKey`, of any trigger. A run's terminal
   * status event calls it with the run id, so the last partial batch of the items the run emitted
   * (`batch: { key: event.source }`) goes at once instead of waiting for its timeout. The run's
   * items share a partition with its status events (both keyed by its trigger id), so they are all
   * in their batches by then, and their batches are this evaluator's.
   */
  flushKeyed(batchKey: string): Promise<void> {
    const hash = keyHash(batchKey);
    const batches = [...this.tracked.values()].filter((batch) => batch.keyHash === hash);
    return Promise.all(batches.map((batch) => this.flush(batch.id))).then(() => undefined);
  }

  /**
   * The expected event came: the open expectations of the trigger and key are done with, without a
   * run (whichever evaluator holds their timer finds them gone). They keep their members' ids for a
   * dedupe window, so a replayed event does not open them again.
   */
  async satisfy(trigger: CompiledTrigger, batchKey: string): Promise<number> {
    const keepUntil = new Date(this.options.clock.now() + trigger.dedupeWindowMs);
    const satisfied = await this.options.store.satisfy(trigger.id, batchKey, keepUntil);
    for (const batchId of satisfied) this.untrack(batchId);
    return satisfied.length;
  }

  /** Batches this evaluator is tracking (open or waiting to be emitted). */
  get openBatches(): number {
    return this.tracked.size;
  }

  /**
   * Cancels every timer and waits for emissions in flight. Open batches stay in the store, safely left
   * for the next owner of their partition.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const id of [...this.tracked.keys()]) this.untrack(id);
    await Promise.allSettled([...this.flushing.values()]);
  }

  private own(partition: number): Promise<void> {
    if (this.owned.has(partition)) return this.loading.get(partition) ?? Promise.resolve();
    this.owned.add(partition);
    const loading = this.load(partition).catch((err: unknown) => {
      // Loaded again on the next add or assignment.
      this.owned.delete(partition);
      throw err;
    });
    this.loading.set(partition, loading);
    return loading.finally(() => this.loading.delete(partition));
  }

  private async load(partition: number): Promise<void> {
    for (const batch of await this.options.store.pending([partition])) {
      if (this.tracked.has(batch.id)) continue;
      this.track(batch);
      const trigger = this.options.trigger(batch.triggerId);
      const size = trigger?.batch?.size;
      if (batch.status === 'closed' || (size !== undefined && batch.size >= size)) {
        this.flushInBackground(batch.id);
      }
    }
  }

  private track(batch: PendingBatch): void {
    const tracked: TrackedBatch = {
      id: batch.id,
      triggerId: batch.triggerId,
      keyHash: batch.keyHash,
      partition: batch.partition,
    };
    this.tracked.set(batch.id, tracked);
    if (batch.deadlineAt !== null && batch.status === 'open') {
      const delayMs = batch.deadlineAt.getTime() - this.options.clock.now();
      if (delayMs > 0) this.schedule(tracked, delayMs);
      else this.flushInBackground(batch.id);
    }
  }

  private untrack(batchId: string): void {
    const batch = this.tracked.get(batchId);
    if (batch?.timer) this.options.clock.clearTimer(batch.timer);
    this.tracked.delete(batchId);
    this.attempts.delete(batchId);
  }

  private schedule(batch: TrackedBatch, delayMs: number): void {
    if (this.stopped) return;
    if (batch.timer) this.options.clock.clearTimer(batch.timer);
    batch.timer = this.options.clock.setTimer(() => {
      batch.timer = undefined;
      this.flushInBackground(batch.id);
    }, delayMs);
  }

  private flushInBackground(batchId: string): void {
    void this.flush(batchId);
  }

  private retryLater(batchId: string, err: unknown): void {
    const batch = this.tracked.get(batchId);
    if (!batch || this.stopped) return;
    const attempt = (this.attempts.get(batchId) ?? 0) + 1;
    this.attempts.set(batchId, attempt);
    const delayMs = backoffDelay(attempt, RETRY);
    this.options.log('warn', 'emitting a batch failed; retrying', {
      triggerId: batch.triggerId,
      batchId,
      attempt,
      delayMs,
      error: err instanceof Error ? err.message : String(err),
    });
    this.schedule(batch, delayMs);
  }

  private async emit(batchId: string): Promise<void> {
    const closed = await this.options.store.close(batchId);
    if (closed === undefined) {
      this.untrack(batchId);
      return;
    }
    const trigger = this.options.trigger(closed.triggerId);
    if (trigger === undefined || !collects(trigger)) {
      this.options.log(
        'warn',
        'discarding a batch whose trigger was deleted, disabled, or no longer collects events',
        {
          triggerId: closed.triggerId,
          batchId,
          events: closed.members.length,
        },
      );
      await this.options.store.discard(batchId);
      this.untrack(batchId);
      return;
    }
    await this.options.emit(
      trigger,
      closed.members.map((member) => eventFromJson(member.event as Record<string, unknown>)),
    );
    await this.options.store.markEmitted(
      batchId,
      new Date(this.options.clock.now() + trigger.dedupeWindowMs),
    );
    this.untrack(batchId);
  }
}

/** Whether the trigger collects events here: a batch, a debounce, or an absence trigger's wait. */
export function collects(trigger: CompiledTrigger): boolean {
  return (
    trigger.batch !== undefined || trigger.debounce !== undefined || trigger.expect !== undefined
  );
}

/**
 * When a collection is due: a batch `timeout` after its first event; a debounce (and an absence
 * trigger's silence) once quiet for a period after its last event, within `maxWait`; an absence
 * trigger's wait `within` after the event that opened it.
 */
function timingOf(trigger: CompiledTrigger): {
  timeoutMs?: number;
  quietMs?: number;
  maxWaitMs?: number;
} {
  const { debounce, expect } = trigger;
  if (debounce) {
    return {
      timeoutMs: Math.min(debounce.periodMs, debounce.maxWaitMs ?? Infinity),
      quietMs: debounce.periodMs,
      maxWaitMs: debounce.maxWaitMs,
    };
  }
  if (expect) {
    return expect.after === undefined
      ? { timeoutMs: expect.waitMs, quietMs: expect.waitMs }
      : { timeoutMs: expect.waitMs };
  }
  return { timeoutMs: trigger.batch?.timeoutMs };
}
