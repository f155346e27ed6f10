import { type FileConfig, globList } from '@flint/contracts';
import {
  type Emit,
  InvalidSourceError,
  type SourceContext,
  type SourceProviderImpl,
} from '@flint/provider-sdk';
import type { Store } from '@flint/store';
import { minimatch } from 'minimatch';
import { type StartWatcher, startChokidarWatcher } from './directory-watcher';
import { FolderWatch } from './folder-watch';
import { PathFilter } from './path-filter';
import { type SeenFilesStore, SqlSeenFilesStore } from './seen-files-store';

export interface PreparedFileSource {
  config: FileConfig;
  filter: PathFilter;
}

export interface FileWatcherProviderOptions {
  startWatcher?: StartWatcher;
  /** How often each directory is compared with the record in case the watcher missed a change. */
  rescanEveryMs?: number;
  /** Where announced files are recorded; the `provider_state` table by default. */
  seenStore?: (db: Store) => SeenFilesStore;
}

/**
 * Watches local directories. Exclusive: each source's folder is watched by one replica at a time,
 * holding a lease in the database that another replica takes over when it dies.
 */
export class FileWatcherProvider implements SourceProviderImpl<'file', PreparedFileSource> {
  readonly kind = 'file';
  readonly exclusive = true;

  constructor(private readonly options: FileWatcherProviderOptions = {}) {}

  validate(config: FileConfig): PreparedFileSource {
    for (const glob of [...globList(config.pattern), ...globList(config.exclude)]) {
      try {
        minimatch.makeRe(glob);
      } catch (err) {
        throw new InvalidSourceError(
          `glob ${JSON.stringify(glob)} is invalid: ${(err as Error).message}`,
        );
      }
    }
    return { config, filter: new PathFilter(config.pattern, config.exclude, config.recursive) };
  }

  async run(ctx: SourceContext<'file', PreparedFileSource>, emit: Emit): Promise<void> {
    const { config, filter } = ctx.config;
    const watch = new FolderWatch({
      sourceId: ctx.source.id,
      config,
      filter,
      seen: (this.options.seenStore ?? ((db) => new SqlSeenFilesStore(db)))(ctx.store),
      emit: (events) => emit.many(events),
      startWatcher: this.options.startWatcher ?? startChokidarWatcher,
      clock: ctx.clock,
      log: ctx.log,
      health: ctx.health,
      rescanEveryMs: this.options.rescanEveryMs,
    });
    await watch.run(ctx.signal);
  }
}
