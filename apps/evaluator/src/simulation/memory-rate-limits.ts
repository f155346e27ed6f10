import {
  type DelayedRun,
  nextSlot,
  type RateDecision,
  type RateRequest,
} from '../rate-limit/rate-limit-repository';
import type { DelayedRunStore } from '../rate-limit/delayed-runs';

/** `EvaluatorRateLimitRepository` in memory: for specs of the logic above it, and for backtests (no side effects). */
export class MemoryRateLimits implements DelayedRunStore {
  readonly slots = new Map<string, { key: string; at: number; expiresAt: number }>();
  readonly delayedRuns = new Map<string, DelayedRun>();

  async reserve(request: RateRequest): Promise<RateDecision> {
    const now = request.now.getTime();
    const id = `${request.triggerId}\u0000${request.runId}`;
    const known = this.slots.get(id);
    if (known)
      return known.at > now
        ? { status: 'delayed', at: new Date(known.at) }
        : { status: 'admitted' };
    const recent = [...this.slots.entries()]
      .filter(
        ([slotId, slot]) =>
          slotId.startsWith(`${request.triggerId}\u0000`) &&
          slot.key === request.key &&
          slot.expiresAt > now,
      )
      .map(([, slot]) => slot.at)
      .sort((a, b) => a - b);
    const at = nextSlot(recent, now, request.limit, request.periodMs);
    if (at > now && request.delay === undefined) return { status: 'limited', freeAt: new Date(at) };
    this.slots.set(id, { key: request.key, at, expiresAt: at + request.periodMs });
    if (at <= now) return { status: 'admitted' };
    if (request.delay) {
      this.delayedRuns.set(request.runId, {
        runId: request.runId,
        triggerId: request.triggerId,
        partition: request.delay.partition,
        dueAt: new Date(at),
        request: request.delay.request,
      });
    }
    return { status: 'delayed', at: new Date(at) };
  }

  async delayed(partitions: readonly number[]): Promise<DelayedRun[]> {
    return [...this.delayedRuns.values()].filter((run) => partitions.includes(run.partition));
  }

  async sent(runId: string): Promise<void> {
    this.delayedRuns.delete(runId);
  }
}
