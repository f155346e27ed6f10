import type { FileVersion } from './file-state';
import { sameVersion } from './file-state';

interface Pending {
  version: FileVersion;
  /** Since when the file has had this version. */
  since: number;
}

/** What re-reading a pending file found: its version now, or undefined when it is gone. */
export type Restat = (relativePath: string) => Promise<FileVersion | undefined>;

/**
 * Files seen being written, waiting until their size and modification time have not changed for
 * `stableForMs`, so a half-written file is not announced.
 */
export class StabilityTracker {
  private readonly pending = new Map<string, Pending>();

  constructor(readonly stableForMs: number) {}

  get size(): number {
    return this.pending.size;
  }

  /** A file was created or changed; its stability clock restarts if its version differs. */
  observe(relativePath: string, version: FileVersion, now: number): void {
    const current = this.pending.get(relativePath);
    if (current && sameVersion(current.version, version)) return;
    this.pending.set(relativePath, { version, since: now });
  }

  forget(relativePath: string): void {
    this.pending.delete(relativePath);
  }

  /** The files waiting. */
  paths(): string[] {
    return [...this.pending.keys()];
  }

  /**
   * Re-reads the files that have waited long enough and returns those still unchanged; changed
   * ones wait again, vanished ones are dropped.
   */
  async takeStable(
    now: number,
    restat: Restat,
    concurrency = 64,
  ): Promise<Array<{ path: string; version: FileVersion }>> {
    const due = [...this.pending].filter(([, entry]) => now - entry.since >= this.stableForMs);
    const stable: Array<{ path: string; version: FileVersion }> = [];
    for (let i = 0; i < due.length; i += concurrency) {
      await Promise.all(
        due.slice(i, i + concurrency).map(async ([path, entry]) => {
          const version = await restat(path);
          // A newer observation may have replaced the entry while we read; leave that one be.
          if (this.pending.get(path) !== entry) return;
          if (version === undefined) this.pending.delete(path);
          else if (sameVersion(version, entry.version)) {
            this.pending.delete(path);
            stable.push({ path, version });
          } else this.pending.set(path, { version, since: now });
        }),
      );
    }
    return stable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}
