import {
  type DelayedRun,
  nextSlot,
  type RateDecision,
  type RateRequest,
} from '../rate-limit/rate-limit-repository';
import type { DelayedRunStore } from '../rate-limit/delayed-runs';

/**
 * `EvaluatorRateLimitRepository` in memory: for specs of the logic above it, and for backtests (no
 * side effects). A reservation reads only its trigger and key's slots, as the table's index does.
 */
export class MemoryRateLimits implements DelayedRunStore {
  readonly slots = new Map<string, { key: string; at: number; expiresAt: number }>();
  /** The slots of each trigger and rate limit key, by `limitOf`. */
  private readonly byKey = new Map<string, { at: number; expiresAt: number }[]>();
  readonly delayedRuns = new Map<string, DelayedRun>();

  async reserve(request: RateRequest): Promise<RateDecision> {
    const now = request.now.getTime();
    const id = `${request.triggerId}\u0000${request.runId}`;
    const known = this.slots.get(id);
    if (known)
      return known.at > now
        ? { status: 'delayed', at: new Date(known.at) }
        : { status: 'admitted' };
    const limit = limitOf(request.triggerId, request.key);
    const ofKey = this.byKey.get(limit) ?? [];
    const recent = ofKey
      .filter((slot) => slot.expiresAt > now)
      .map((slot) => slot.at)
      .sort((a, b) => a - b);
    const at = nextSlot(recent, now, request.limit, request.periodMs);
    if (at > now && request.delay === undefined) return { status: 'limited', freeAt: new Date(at) };
    const slot = { key: request.key, at, expiresAt: at + request.periodMs };
    this.slots.set(id, slot);
    ofKey.push(slot);
    this.byKey.set(limit, ofKey);
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

function limitOf(triggerId: string, key: string): string {
  return `${triggerId}\u0000${key}`;
}
