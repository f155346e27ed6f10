import { randomUUID } from 'node:crypto';
import type {
  BatchAddResult,
  ClosedBatch,
  NewBatchMember,
  PendingBatch,
} from '../batching/batch-repository';
import type { BatchStore } from '../batching/batch-manager';
import { keyHash } from '../storable-text';

interface StoredBatch extends Omit<PendingBatch, 'status'> {
  batchKey: string;
  status: PendingBatch['status'] | 'emitted';
  members: { eventId: string; event: unknown }[];
  keepUntil?: Date;
}

/**
 * `EvaluatorBatchRepository` in memory: for specs of the logic above it, and for backtests (no side
 * effects); it can be made to fail. Indexed like the table, so an add costs the same however many
 * batches a backtest or the evaluator benchmark has left behind.
 */
export class MemoryBatchStore implements BatchStore {
  readonly batches = new Map<string, StoredBatch>();
  /** The open batch of each trigger, key and partition (`slotOf`). */
  private readonly open = new Map<string, StoredBatch>();
  /** The batch each trigger's event is a member of, by `memberOf`: what turns a replay away. */
  private readonly members = new Map<string, StoredBatch>();
  /** Each trigger's batches, open or not. */
  private readonly ofTrigger = new Map<string, Set<StoredBatch>>();
  failNext = 0;

  async add(member: NewBatchMember): Promise<BatchAddResult> {
    this.maybeFail();
    if (this.members.has(memberOf(member.triggerId, member.eventId))) {
      return { status: 'duplicate' };
    }
    const slot = slotOf(member.triggerId, member.batchKey, member.partition);
    let open = this.open.get(slot);
    if (!open) {
      open = {
        id: randomUUID(),
        triggerId: member.triggerId,
        batchKey: member.batchKey,
        keyHash: keyHash(member.batchKey),
        partition: member.partition,
        status: 'open',
        size: 0,
        openedAt: member.openedAt,
        deadlineAt: member.deadlineAt,
        members: [],
      };
      this.batches.set(open.id, open);
      this.open.set(slot, open);
      let batches = this.ofTrigger.get(open.triggerId);
      if (!batches) {
        batches = new Set();
        this.ofTrigger.set(open.triggerId, batches);
      }
      batches.add(open);
    }
    open.members.push({ eventId: member.eventId, event: structuredClone(member.event) });
    this.members.set(memberOf(member.triggerId, member.eventId), open);
    open.size = open.members.length;
    if (member.maxSize !== undefined && open.size >= member.maxSize) this.settle(open, 'closed');
    if (member.quietUntil !== undefined) {
      const cap = open.openedAt.getTime() + (member.maxWaitMs ?? Infinity);
      open.deadlineAt = new Date(Math.min(member.quietUntil.getTime(), cap));
    }
    return { status: 'added', batch: pending(open) };
  }

  async satisfy(triggerId: string, batchKey: string, keepUntil: Date): Promise<string[]> {
    const ids: string[] = [];
    for (const batch of this.ofTrigger.get(triggerId) ?? []) {
      if (batch.batchKey !== batchKey || batch.status !== 'open') continue;
      this.settle(batch, 'emitted');
      batch.keepUntil = keepUntil;
      ids.push(batch.id);
    }
    return ids;
  }

  async close(batchId: string): Promise<ClosedBatch | undefined> {
    this.maybeFail();
    const batch = this.batches.get(batchId);
    if (!batch || batch.status === 'emitted') return undefined;
    this.settle(batch, 'closed');
    return { id: batch.id, triggerId: batch.triggerId, members: [...batch.members] };
  }

  async markEmitted(batchId: string, keepUntil: Date): Promise<void> {
    this.maybeFail();
    const batch = this.batches.get(batchId);
    if (!batch) return;
    this.settle(batch, 'emitted');
    batch.keepUntil = keepUntil;
  }

  async discard(batchId: string): Promise<void> {
    const batch = this.batches.get(batchId);
    if (!batch) return;
    this.settle(batch, 'emitted');
    this.batches.delete(batchId);
    for (const { eventId } of batch.members) {
      const key = memberOf(batch.triggerId, eventId);
      if (this.members.get(key) === batch) this.members.delete(key);
    }
    const batches = this.ofTrigger.get(batch.triggerId);
    batches?.delete(batch);
    if (batches?.size === 0) this.ofTrigger.delete(batch.triggerId);
  }

  async pending(partitions: readonly number[]): Promise<PendingBatch[]> {
    this.maybeFail();
    return [...this.batches.values()]
      .filter((batch) => batch.status !== 'emitted' && partitions.includes(batch.partition))
      .map(pending);
  }

  /** Moves a batch on from `open`; it no longer takes events. */
  private settle(batch: StoredBatch, status: 'closed' | 'emitted'): void {
    const slot = slotOf(batch.triggerId, batch.batchKey, batch.partition);
    if (this.open.get(slot) === batch) this.open.delete(slot);
    batch.status = status;
  }

  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('the database is down');
    }
  }
}

function slotOf(triggerId: string, batchKey: string, partition: number): string {
  return `${triggerId}\u0000${partition}\u0000${batchKey}`;
}

function memberOf(triggerId: string, eventId: string): string {
  return `${triggerId}\u0000${eventId}`;
}

function pending(batch: StoredBatch): PendingBatch {
  return {
    id: batch.id,
    triggerId: batch.triggerId,
    keyHash: batch.keyHash,
    partition: batch.partition,
    status: batch.status === 'emitted' ? 'closed' : batch.status,
    size: batch.size,
    openedAt: batch.openedAt,
    deadlineAt: batch.deadlineAt,
  };
}
