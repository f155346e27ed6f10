import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Clock, Log } from '@flint/common';
import type { FileConfig } from '@flint/contracts';
import type { EmitInput, SourceHealth } from '@flint/provider-sdk';
import { sha256OfFile } from './content-hash';
import { scanDirectory, statVersion } from './directory-scan';
import type { DirectoryWatcher, StartWatcher, WatchHandlers } from './directory-watcher';
import { type FileChange, fileEvent } from './file-event';
import { type FileVersion, sameVersion } from './file-state';
import type { PathFilter } from './path-filter';
import type { SeenFilesStore } from './seen-files-store';
import { StabilityTracker } from './stability-tracker';

export const DEFAULT_POLL_INTERVAL_MS = 1000;
/** How often the directory is scanned for changes the watcher missed. */
export const DEFAULT_RESCAN_EVERY_MS = 60_000;
/**
 * After signs the watcher is overwhelmed (a file reported removed that still exists, or this many
 * reports between two ticks), the directory is rescanned this soon rather than at the next interval.
 */
const QUICK_RESCAN_MS = 2_000;
const BURST_REPORTS = 1_000;
/** Events per produce request and per state write. */
const BATCH_SIZE = 500;
/** Files looked at on disk at once. */
const STAT_CONCURRENCY = 64;

export interface FolderWatchOptions {
  sourceId: string;
  config: FileConfig;
  filter: PathFilter;
  seen: SeenFilesStore;
  /** Publishes events; resolves once Kafka acknowledged all of them. */
  emit: (events: EmitInput[]) => Promise<unknown>;
  startWatcher: StartWatcher;
  clock: Clock;
  log: Log;
  /**
   * Where the watch's outcome goes: each check of the folder that worked is a success, a watcher
   * error a failure (`ctx.health`). A folder that cannot be read fails the run itself.
   */
  health: Pick<SourceHealth, 'succeeded' | 'failed'>;
  /** How often the whole directory is compared with the record, in case the watcher missed a change. */
  rescanEveryMs?: number;
}

export class DirectoryMissingError extends Error {
  override readonly name = 'DirectoryMissingError';
}

/**
 * Watches one directory for one source. Created and changed files are announced once stable, deleted
 * ones once confirmed gone. Each announcement is recorded (path, size, mtime) only after Kafka
 * acknowledged it, so a restart compares the directory with the record and announces what changed
 * while it was down, and a crash between the two announces again with the same event id rather than
 * never. The watcher's reports are hints, checked on disk: under a burst chokidar may report a file
 * removed that still exists, or miss one, which the periodic rescan then finds.
 */
export class FolderWatch {
  private readonly root: string;
  private readonly tracker: StabilityTracker;
  private readonly rescanEveryMs: number;
  /** What was announced and recorded, by relative path. */
  private known = new Map<string, FileVersion>();
  /** Deletions confirmed on disk but not yet announced, with the last announced version. */
  private readonly deletions = new Map<string, FileVersion>();
  /** Paths reported removed (or missing from a scan), to look at on disk before concluding anything. */
  private readonly suspects = new Set<string>();
  private nextRescanAt = 0;
  /** Reports from the watcher since the last tick. */
  private reports = 0;

  constructor(private readonly options: FolderWatchOptions) {
    this.root = resolve(options.config.directory);
    this.tracker = new StabilityTracker(options.config.stableForMs);
    this.rescanEveryMs = options.rescanEveryMs ?? DEFAULT_RESCAN_EVERY_MS;
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.assertDirectory();
    const { config, sourceId, seen } = this.options;
    const state = await seen.load(sourceId);
    const firstStart = state.directory !== config.directory;
    this.known = firstStart ? new Map() : state.files;
    const watcher = await this.startWatcher();
    try {
      const scanned = await scanDirectory(this.root, this.options.filter);
      await this.reconcile(scanned, firstStart);
      this.nextRescanAt = this.now() + this.rescanEveryMs;
      const tickMs = Math.min(500, Math.max(20, Math.floor(config.stableForMs / 4)));
      while (!signal.aborted) {
        if (this.now() >= this.nextRescanAt) await this.rescan();
        await this.tick();
        this.options.health.succeeded();
        await this.options.clock.sleep(tickMs, signal);
      }
    } finally {
      await watcher.close();
    }
  }

  /** Changes noticed but not announced yet; for tests and status. */
  get pendingCount(): number {
    return this.tracker.size + this.deletions.size + this.suspects.size;
  }

  private async assertDirectory(): Promise<void> {
    const stats = await fs.stat(this.root).catch(() => undefined);
    if (!stats?.isDirectory()) {
      throw new DirectoryMissingError(`${this.options.config.directory} is not a directory`);
    }
  }

  private startWatcher(): Promise<DirectoryWatcher> {
    const { config, filter, log, health } = this.options;
    const handlers: WatchHandlers = {
      onFile: (path, version) => {
        this.reports += 1;
        if (!filter.includesFile(path)) return;
        if (version) this.changed(path, version);
        else this.suspects.add(path);
      },
      onRemoved: (path) => {
        this.reports += 1;
        if (filter.includesFile(path)) this.suspects.add(path);
      },
      onRemovedDirectory: (directory) => {
        const prefix = `${directory}/`;
        for (const path of [...this.known.keys(), ...this.tracker.paths()]) {
          if (path.startsWith(prefix)) this.suspects.add(path);
        }
      },
      onError: (error) => {
        log('warn', `watcher error: ${error.message}`);
        health.failed(`watcher error: ${error.message}`);
      },
    };
    return this.options.startWatcher(
      this.root,
      filter,
      {
        recursive: config.recursive,
        usePolling: config.usePolling ?? false,
        pollIntervalMs: config.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      },
      handlers,
    );
  }

  /** The file exists with this version: wait for it to settle unless it is what was announced. */
  private changed(path: string, version: FileVersion): void {
    // A file re-created before its deletion was announced: announce the change instead.
    this.deletions.delete(path);
    if (!sameVersion(this.known.get(path), version)) {
      this.tracker.observe(path, version, this.now());
    }
  }

  /** Looks at each suspect on disk: still there is a change to wait for, gone is a deletion. */
  private async checkSuspects(): Promise<void> {
    const paths = [...this.suspects];
    this.suspects.clear();
    for (let i = 0; i < paths.length; i += STAT_CONCURRENCY) {
      await Promise.all(
        paths.slice(i, i + STAT_CONCURRENCY).map(async (path) => {
          const version = await statVersion(join(this.root, path));
          if (version) {
            this.changed(path, version);
            // Reported removed yet still there: the watcher is losing track, so look for yourself.
            this.rescanSoon();
            return;
          }
          this.tracker.forget(path);
          const announced = this.known.get(path);
          if (announced) this.deletions.set(path, announced);
        }),
      );
    }
  }

  /**
   * Compares the directory with the record. On the first start the files there are recorded as
   * they are (or, with `emitExisting`, announced once stable); later, new and changed files wait
   * to be stable and missing ones are announced as deleted.
   */
  private async reconcile(scanned: Map<string, FileVersion>, firstStart: boolean): Promise<void> {
    const { config, sourceId, seen, log } = this.options;
    if (firstStart) {
      const recorded = config.emitExisting ? new Map<string, FileVersion>() : scanned;
      await seen.reset(sourceId, config.directory, recorded);
      this.known = new Map(recorded);
      log(
        'info',
        `watching ${config.directory}: ${scanned.size} file(s) there at the first start`,
        {
          existing: scanned.size,
          emitExisting: config.emitExisting ?? false,
        },
      );
    }
    this.compare(scanned);
  }

  /** A safety net under the watcher: what it failed to report is found by a periodic scan. */
  private async rescan(): Promise<void> {
    this.nextRescanAt = this.now() + this.rescanEveryMs;
    this.compare(await scanDirectory(this.root, this.options.filter));
  }

  private compare(scanned: Map<string, FileVersion>): void {
    for (const [path, version] of scanned) this.changed(path, version);
    for (const path of this.known.keys()) if (!scanned.has(path)) this.suspects.add(path);
  }

  private rescanSoon(): void {
    this.nextRescanAt = Math.min(this.nextRescanAt, this.now() + QUICK_RESCAN_MS);
  }

  private async tick(): Promise<void> {
    if (this.reports >= BURST_REPORTS) this.rescanSoon();
    this.reports = 0;
    await this.checkSuspects();
    const stable = await this.tracker.takeStable(this.now(), (path) =>
      statVersion(join(this.root, path)),
    );
    const changes: FileChange[] = [];
    for (const [path, version] of this.deletions) changes.push({ event: 'deleted', path, version });
    this.deletions.clear();
    for (const { path, version } of stable) {
      const previous = this.known.get(path);
      if (sameVersion(previous, version)) continue;
      const change: FileChange = { event: previous ? 'modified' : 'created', path, version };
      if (this.options.config.hashContent) {
        const sha256 = await sha256OfFile(join(this.root, path)).catch(() => undefined);
        if (sha256 === undefined) continue;
        change.sha256 = sha256;
      }
      changes.push(change);
    }
    for (let i = 0; i < changes.length; i += BATCH_SIZE) {
      await this.announce(changes.slice(i, i + BATCH_SIZE));
    }
  }

  /** Emits the events the source asked for, then records every change. */
  private async announce(changes: FileChange[]): Promise<void> {
    const { config, sourceId, seen, emit } = this.options;
    const events = changes
      .filter((change) => config.events.includes(change.event))
      .map((change) => fileEvent(config.directory, change));
    if (events.length > 0) await emit(events);
    const upserts = changes
      .filter((change) => change.event !== 'deleted')
      .map(({ path, version }) => ({ path, version }));
    const deletes = changes.filter((change) => change.event === 'deleted').map((c) => c.path);
    await seen.apply(sourceId, upserts, deletes);
    for (const { path, version } of upserts) this.known.set(path, version);
    for (const path of deletes) this.known.delete(path);
  }

  private now(): number {
    return this.options.clock.now();
  }
}
