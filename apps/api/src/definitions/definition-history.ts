import type {
  DefinitionChangeAction,
  DefinitionKind,
  DefinitionVersion,
  StoredDefinition,
} from '@flint/contracts';
import type { Queryable, Store } from '@flint/store';
import type { JsonObject } from './definition-body';

export interface HistoryRange {
  /** Keyset pagination: only entries after this position (`DefinitionHistoryEntry.seq`). */
  afterSeq?: string;
  limit?: number;
}

export interface DefinitionHistoryEntry extends DefinitionVersion {
  /** Position in the history of all definitions, for paging. */
  seq: string;
}

/**
 * The `definition_history` table: every change of every definition, kept after the definition is
 * deleted. The repository writes to it in the transaction of each change (`recordHistory`).
 */
export class DefinitionHistoryRepository {
  constructor(private readonly store: Store) {}

  /**
   * A definition's changes, oldest first; kept after it is deleted. Ordered by the bigint column, not
   * by the text alias (where "10" sorts before "9").
   */
  async entries(
    kind: DefinitionKind,
    id: string,
    range: HistoryRange = {},
  ): Promise<DefinitionHistoryEntry[]> {
    const rows = await this.store.query<HistoryRow>(
      `SELECT seq::text AS seq, kind, id, version, action, owner, body, changed_by, changed_at
         FROM definition_history
        WHERE kind = $1 AND id = $2 AND ($3::bigint IS NULL OR seq > $3::bigint)
        ORDER BY definition_history.seq
        LIMIT $4::int`,
      [kind, id, range.afterSeq ?? null, range.limit ?? null],
    );
    return rows.map(historyEntry);
  }

  /** The owner of a definition's latest change, deleted or not; undefined when it never existed. */
  async owner(kind: DefinitionKind, id: string): Promise<string | undefined> {
    const rows = await this.store.query<{ owner: string }>(
      `SELECT owner FROM definition_history WHERE kind = $1 AND id = $2 ORDER BY seq DESC LIMIT 1`,
      [kind, id],
    );
    return rows[0]?.owner;
  }

  /** The body a definition had at `version`, and the change that stored it. */
  async version(
    kind: DefinitionKind,
    id: string,
    version: number,
  ): Promise<DefinitionHistoryEntry | undefined> {
    const rows = await this.store.query<HistoryRow>(
      `SELECT seq::text AS seq, kind, id, version, action, owner, body, changed_by, changed_at
         FROM definition_history
        WHERE kind = $1 AND id = $2 AND version = $3 AND action <> 'deleted'`,
      [kind, id, version],
    );
    return rows[0] && historyEntry(rows[0]);
  }
}

export interface HistoryWrite {
  kind: DefinitionKind;
  id: string;
  version: number;
  action: DefinitionChangeAction;
  body: JsonObject;
  changedBy: string | undefined;
}

export async function recordHistory(tx: Queryable, change: HistoryWrite): Promise<void> {
  await tx.query(
    `INSERT INTO definition_history (kind, id, version, action, owner, body, changed_by)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    [
      change.kind,
      change.id,
      change.version,
      change.action,
      change.body.owner,
      JSON.stringify(change.body),
      change.changedBy ?? null,
    ],
  );
}

interface HistoryRow {
  seq: string;
  kind: DefinitionKind;
  id: string;
  version: number;
  action: DefinitionChangeAction;
  owner: string;
  body: JsonObject;
  changed_by: string | null;
  changed_at: Date;
}

function historyEntry(row: HistoryRow): DefinitionHistoryEntry {
  const changedAt = row.changed_at.toISOString();
  return {
    seq: row.seq,
    kind: row.kind,
    id: row.id,
    version: row.version,
    action: row.action,
    owner: row.owner,
    changedBy: row.changed_by,
    changedAt,
    definition: { ...row.body, version: row.version, updatedAt: changedAt } as StoredDefinition,
  };
}
