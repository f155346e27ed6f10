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

/** `EvaluatorBatchRepository` in memory: for specs of the logic above it, and for backtests (no side effects); it can be made to fail. */
export class MemoryBatchStore implements BatchStore {
  readonly batches = new Map<string, StoredBatch>();
  failNext = 0;

  async add(member: NewBatchMember): Promise<BatchAddResult> {
    this.maybeFail();
    for (const batch of this.batches.values()) {
      if (
        batch.triggerId === member.triggerId &&
        batch.members.some((m) => m.eventId === member.eventId)
      ) {
        return { status: 'duplicate' };
      }
    }
    let open = [...this.batches.values()].find(
      (batch) =>
        batch.status === 'open' &&
        batch.triggerId === member.triggerId &&
        batch.batchKey === member.batchKey &&
        batch.partition === member.partition,
    );
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
    }
    open.members.push({ eventId: member.eventId, event: structuredClone(member.event) });
    open.size = open.members.length;
    if (member.maxSize !== undefined && open.size >= member.maxSize) open.status = 'closed';
    if (member.quietUntil !== undefined) {
      const cap = open.openedAt.getTime() + (member.maxWaitMs ?? Infinity);
      open.deadlineAt = new Date(Math.min(member.quietUntil.getTime(), cap));
    }
    return { status: 'added', batch: pending(open) };
  }

  async satisfy(triggerId: string, batchKey: string, keepUntil: Date): Promise<string[]> {
    const ids: string[] = [];
    for (const batch of this.batches.values()) {
      if (batch.triggerId !== triggerId || batch.batchKey !== batchKey) continue;
      if (batch.status !== 'open') continue;
      batch.status = 'emitted';
      batch.keepUntil = keepUntil;
      ids.push(batch.id);
    }
    return ids;
  }

  async close(batchId: string): Promise<ClosedBatch | undefined> {
    this.maybeFail();
    const batch = this.batches.get(batchId);
    if (!batch || batch.status === 'emitted') return undefined;
    batch.status = 'closed';
    return { id: batch.id, triggerId: batch.triggerId, members: [...batch.members] };
  }

  async markEmitted(batchId: string, keepUntil: Date): Promise<void> {
    this.maybeFail();
    const batch = this.batches.get(batchId);
    if (batch) Object.assign(batch, { status: 'emitted', keepUntil });
  }

  async discard(batchId: string): Promise<void> {
    this.batches.delete(batchId);
  }

  async pending(partitions: readonly number[]): Promise<PendingBatch[]> {
    this.maybeFail();
    return [...this.batches.values()]
      .filter((batch) => batch.status !== 'emitted' && partitions.includes(batch.partition))
      .map(pending);
  }

  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('the database is down');
    }
  }
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
