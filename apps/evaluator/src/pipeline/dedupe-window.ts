/**
 * The evaluator's memory of recent dedupe keys per trigger, so most duplicates never become run
 * requests. It is a cache, not the guarantee: after a restart it is empty, and the deterministic run id
 * makes the runner's claim turn away what it lets through. A key is remembered from its first event
 * for the trigger's window, measured on the events' acceptance times, so a replay decides alike.
 * Bounded: past `capacity` keys the oldest are forgotten first.
 */
export class DedupeWindow {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new Error(`the dedupe cache needs room for at least one key, got ${capacity}`);
    }
  }

  /**
   * When the key was seen for the trigger less than a window before `at`: when that window ends;
   * undefined when the key is new at `at`.
   */
  seenUntil(triggerId: string, key: string, at: number): number | undefined {
    const expiry = this.expiries.get(entryKey(triggerId, key));
    return expiry !== undefined && at < expiry ? expiry : undefined;
  }

  /** Remembers the key until `at` plus the window; a key still remembered keeps its first expiry. */
  remember(triggerId: string, key: string, at: number, windowMs: number): void {
    const entry = entryKey(triggerId, key);
    const expiry = this.expiries.get(entry);
    if (expiry !== undefined && at < expiry) return;
    this.expiries.delete(entry);
    this.expiries.set(entry, at + windowMs);
    while (this.expiries.size > this.capacity) {
      this.expiries.delete(this.expiries.keys().next().value as string);
    }
  }

  /** Forgets keys whose window ended before `now`; returns how many. */
  prune(now: number): number {
    let removed = 0;
    for (const [entry, expiry] of this.expiries) {
      if (expiry <= now) {
        this.expiries.delete(entry);
        removed++;
      }
    }
    return removed;
  }

  get size(): number {
    return this.expiries.size;
  }
}

function entryKey(triggerId: string, key: string): string {
  return `${triggerId}\u0000${key}`;
}
