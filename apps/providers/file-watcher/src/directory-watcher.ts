import { relative, sep } from 'node:path';
import { watch } from 'chokidar';
import { type FileVersion, versionOf } from './file-state';
import type { PathFilter } from './path-filter';

/** What the watcher reports, by path relative to the watched directory ("/" separated). */
export interface WatchHandlers {
  /** Added or changed; the version when the watcher read it. */
  onFile(relativePath: string, version: FileVersion | undefined): void;
  onRemoved(relativePath: string): void;
  onRemovedDirectory(relativePath: string): void;
  onError(error: Error): void;
}

export interface WatchOptions {
  recursive: boolean;
  usePolling: boolean;
  pollIntervalMs: number;
}

export interface DirectoryWatcher {
  close(): Promise<void>;
}

/** Starts watching; resolves once the watcher is ready (changes from then on are reported). */
export type StartWatcher = (
  root: string,
  filter: PathFilter,
  options: WatchOptions,
  handlers: WatchHandlers,
) => Promise<DirectoryWatcher>;

/** Watches with chokidar: native events (inotify, FSEvents) or polling for network and container volumes. */
export const startChokidarWatcher: StartWatcher = async (root, filter, options, handlers) => {
  const relativeOf = (path: string) => relative(root, path).split(sep).join('/');
  const watcher = watch(root, {
    ignoreInitial: true,
    persistent: true,
    alwaysStat: true,
    usePolling: options.usePolling,
    interval: options.pollIntervalMs,
    binaryInterval: options.pollIntervalMs,
    ...(options.recursive ? {} : { depth: 0 }),
    ignored: (path, stats) => {
      const relativePath = relativeOf(path);
      if (relativePath === '' || !stats) return false;
      if (stats.isDirectory()) return !filter.entersDirectory(relativePath);
      return stats.isFile() && !filter.includesFile(relativePath);
    },
  });
  const onFile = (path: string, stats?: { size: number; mtimeMs: number }) =>
    handlers.onFile(relativeOf(path), stats && versionOf(stats));
  watcher.on('add', onFile);
  watcher.on('change', onFile);
  watcher.on('unlink', (path) => handlers.onRemoved(relativeOf(path)));
  watcher.on('unlinkDir', (path) => handlers.onRemovedDirectory(relativeOf(path)));
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', () => resolve());
    watcher.once('error', reject);
  });
  watcher.on('error', (error) => handlers.onError(error as Error));
  return { close: () => watcher.close() };
};
