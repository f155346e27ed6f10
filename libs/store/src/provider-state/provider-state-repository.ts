import type { Queryable } from '../store';

/** Rows per statement when writing many keys at once. */
const PUT_CHUNK = 1000;

/**
 * What the sources of one provider kind keep between runs and across restarts, in the
 * `provider_state` table: JSON values by (source id, key). The poller keeps its cursor, cron its
 * schedule record, the file watcher the files it has announced; each kind sees its own rows only.
 * Give it a transaction to make several writes atomic.
 *
 * Values are read as `value::text` and parsed here: PostgreSQL's driver parses jsonb itself and some
 * PGlite paths do not, so guessing from the type would parse a stored bare string a second time.
 */
export class ProviderStateRepository {
  constructor(
    private readonly db: Queryable,
    private readonly kind: string,
  ) {}

  async get<T>(sourceId: string, key: string): Promise<T | undefined> {
    const [row] = await this.db.query<{ value: string }>(
      'SELECT value::text AS value FROM provider_state WHERE provider = $1 AND source_id = $2 AND key = $3',
      [this.kind, sourceId, key],
    );
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  /** Every key the source has, with its value. */
  async entries(sourceId: string): Promise<Map<string, unknown>> {
    const rows = await this.db.query<{ key: string; value: string }>(
      'SELECT key, value::text AS value FROM provider_state WHERE provider = $1 AND source_id = $2',
      [this.kind, sourceId],
    );
    return new Map(rows.map((row) => [row.key, JSON.parse(row.value)]));
  }

  async put(sourceId: string, key: string, value: unknown): Promise<void> {
    await this.putMany(sourceId, [[key, value]]);
  }

  /** Writes every entry, a chunk of rows per statement. */
  async putMany(
    sourceId: string,
    entries: ReadonlyArray<readonly [string, unknown]>,
  ): Promise<void> {
    for (let i = 0; i < entries.length; i += PUT_CHUNK) {
      const chunk = entries.slice(i, i + PUT_CHUNK);
      await this.db.query(
        `INSERT INTO provider_state (provider, source_id, key, value)
         SELECT $1, $2, key, value FROM unnest($3::text[], $4::jsonb[]) AS entry(key, value)
         ON CONFLICT (provider, source_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
        [
          this.kind,
          sourceId,
          chunk.map(([key]) => key),
          chunk.map(([, value]) => JSON.stringify(value)),
        ],
      );
    }
  }

  /** Deletes the given keys of the source, or all of them. */
  async delete(sourceId: string, keys?: readonly string[]): Promise<void> {
    if (keys === undefined) {
      await this.db.query('DELETE FROM provider_state WHERE provider = $1 AND source_id = $2', [
        this.kind,
        sourceId,
      ]);
      return;
    }
    if (keys.length === 0) return;
    await this.db.query(
      'DELETE FROM provider_state WHERE provider = $1 AND source_id = $2 AND key = ANY($3::text[])',
      [this.kind, sourceId, keys],
    );
  }
}
