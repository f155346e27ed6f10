import type { DedupeKeyStore, SeenKey } from '../pipeline/dedupe-keys';

/** `DedupeKeyRepository` in memory: for specs of the logic above it, and for backtests (no side effects). */
export class MemoryDedupeKeys implements DedupeKeyStore {
  readonly windows = new Map<string, { openedAt: number; expiresAt: number }>();

  async open(keys: readonly SeenKey[]): Promise<number[]> {
    return keys.map((seen) => {
      const id = `${seen.triggerId}\u0000${seen.key}`;
      const window = this.windows.get(id);
      if (window !== undefined && seen.at < window.expiresAt) return window.openedAt;
      this.windows.set(id, { openedAt: seen.at, expiresAt: seen.at + seen.windowMs });
      return seen.at;
    });
  }

  async deleteExpired(before: Date): Promise<number> {
    let deleted = 0;
    for (const [id, window] of this.windows) {
      if (window.expiresAt < before.getTime()) {
        this.windows.delete(id);
        deleted++;
      }
    }
    return deleted;
  }
}
