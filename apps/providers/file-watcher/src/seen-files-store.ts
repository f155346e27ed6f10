import type { Queryable, Store } from '@flint/store';
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

const PROVIDER = 'file';
const PATH_PREFIX = 'path:';
const DIRECTORY_KEY = 'directory';
/** Rows per statement when recording many files at once. */
const UPSERT_CHUNK = 1000;

/** The state in `provider_state`: a row per file (`path:<relative path>`) and one for the directory. */
export class SqlSeenFilesStore implements SeenFilesStore {
  constructor(private readonly db: Store) {}

  async load(sourceId: string): Promise<SeenFiles> {
    const rows = await this.db.query<{ key: string; value: unknown }>(
      'SELECT key, value FROM provider_state WHERE provider = $1 AND source_id = $2',
      [PROVIDER, sourceId],
    );
    const seen: SeenFiles = { files: new Map() };
    for (const row of rows) {
      const value = typeof row.value === 'string' ? JSON.parse(row.value) : row.value;
      if (row.key === DIRECTORY_KEY) seen.directory = (value as { directory: string }).directory;
      else if (row.key.startsWith(PATH_PREFIX)) {
        seen.files.set(row.key.slice(PATH_PREFIX.length), value as FileVersion);
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
      if (upserts.length > 0) await upsert(tx, sourceId, upserts);
      if (deletes.length > 0) {
        await tx.query(
          'DELETE FROM provider_state WHERE provider = $1 AND source_id = $2 AND key = ANY($3::text[])',
          [PROVIDER, sourceId, deletes.map((path) => PATH_PREFIX + path)],
        );
      }
    });
  }

  async reset(
    sourceId: string,
    directory: string,
    files: ReadonlyMap<string, FileVersion>,
  ): Promise<void> {
    const entries = [...files].map(([path, version]) => ({ path, version }));
    await this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM provider_state WHERE provider = $1 AND source_id = $2', [
        PROVIDER,
        sourceId,
      ]);
      for (let i = 0; i < entries.length; i += UPSERT_CHUNK) {
        await upsert(tx, sourceId, entries.slice(i, i + UPSERT_CHUNK));
      }
      await tx.query(
        'INSERT INTO provider_state (provider, source_id, key, value) VALUES ($1, $2, $3, $4::jsonb)',
        [PROVIDER, sourceId, DIRECTORY_KEY, JSON.stringify({ directory })],
      );
    });
  }
}

async function upsert(
  tx: Queryable,
  sourceId: string,
  upserts: ReadonlyArray<{ path: string; version: FileVersion }>,
): Promise<void> {
  await tx.query(
    `INSERT INTO provider_state (provider, source_id, key, value)
     SELECT $1, $2, key, value FROM unnest($3::text[], $4::jsonb[]) AS entry(key, value)
     ON CONFLICT (provider, source_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [
      PROVIDER,
      sourceId,
      upserts.map((entry) => PATH_PREFIX + entry.path),
      upserts.map((entry) => JSON.stringify(entry.version)),
    ],
  );
}
