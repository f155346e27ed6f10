import { ProviderStateRepository, type Queryable, type Store } from '@flint/store';
import type { FileVersion } from './file-state';

/** The files a source has announced, as persisted: what a restart reconciles against. */
export interface SeenFiles {
  /** The directory the state belongs to; undefined before the source's first start completed. */
  directory?: string;
  files: Map<string, FileVersion>;
}

export interface SeenFilesStore {
  load(sourceId: string): Promise<SeenFiles>;
  /** Records announced versions and removals in one transaction. */
  apply(
    sourceId: string,
    upserts: ReadonlyArray<{ path: string; version: FileVersion }>,
    deletes: readonly string[],
  ): Promise<void>;
  /**
   * Starts afresh for `directory`: forgets every file, records `files` and the directory, in one
   * transaction so a crash leaves either the old record or the complete new one.
   */
  reset(
    sourceId: string,
    directory: string,
    files: ReadonlyMap<string, FileVersion>,
  ): Promise<void>;
}

const PATH_PREFIX = 'path:';
const DIRECTORY_KEY = 'directory';

/** The state in `provider_state`: a row per file (`path:<relative path>`) and one for the directory. */
export class SqlSeenFilesStore implements SeenFilesStore {
  constructor(private readonly db: Store) {}

  async load(sourceId: string): Promise<SeenFiles> {
    const seen: SeenFiles = { files: new Map() };
    for (const [key, value] of await stateOf(this.db).entries(sourceId)) {
      if (key === DIRECTORY_KEY) seen.directory = (value as { directory: string }).directory;
      else if (key.startsWith(PATH_PREFIX)) {
        seen.files.set(key.slice(PATH_PREFIX.length), value as FileVersion);
      }
    }
    return seen;
  }

  async apply(
    sourceId: string,
    upserts: ReadonlyArray<{ path: string; version: FileVersion }>,
    deletes: readonly string[],
  ): Promise<void> {
    if (upserts.length === 0 && deletes.length === 0) return;
    await this.db.transaction(async (tx) => {
      const state = stateOf(tx);
      await state.putMany(sourceId, upserts.map(fileEntry));
      await state.delete(
        sourceId,
        deletes.map((path) => PATH_PREFIX + path),
      );
    });
  }

  async reset(
    sourceId: string,
    directory: string,
    files: ReadonlyMap<string, FileVersion>,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const state = stateOf(tx);
      await state.delete(sourceId);
      await state.putMany(sourceId, [
        ...[...files].map(([path, version]) => fileEntry({ path, version })),
        [DIRECTORY_KEY, { directory }],
      ]);
    });
  }
}

function stateOf(db: Queryable): ProviderStateRepository {
  return new ProviderStateRepository(db, 'file');
}

function fileEntry(entry: { path: string; version: FileVersion }): [string, FileVersion] {
  return [PATH_PREFIX + entry.path, entry.version];
}
