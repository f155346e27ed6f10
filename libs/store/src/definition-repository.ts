import {
  type ApplyResult,
  type Definition,
  type DefinitionKind,
  definitionKey,
  type StoredDefinition,
} from '@flint/contracts';
import { definitionBody, type JsonObject, sameJson } from './definition-body';
import { DefinitionNotFoundError, DuplicateDefinitionError, VersionConflictError } from './errors';
import { enqueueOutbox } from './outbox';
import type { Queryable, Store } from './store';

export interface DeleteResult {
  kind: DefinitionKind;
  id: string;
  /** The version that was deleted. */
  version: number;
}

export interface DefinitionFilter {
  kind: DefinitionKind;
  owner?: string;
  enabled?: boolean;
}

export interface DefinitionRepositoryOptions {
  /** The compacted topic every change is published to (TopicNames.triggers). */
  triggersTopic: string;
}

/** Table names come from this map only, never from input. */
const TABLES: Record<DefinitionKind, string> = { source: 'sources', trigger: 'triggers' };

interface StoredRow {
  version: number;
  body: JsonObject;
  deleted_at: Date | null;
}

/**
 * Sources and triggers with optimistic versioning. Every change commits together with its outbox
 * message for the triggers topic (see outbox.ts for why), so what the topic says is what was stored.
 */
export class DefinitionRepository {
  constructor(
    private readonly store: Store,
    private readonly options: DefinitionRepositoryOptions,
  ) {}

  /**
   * Stores a batch in one transaction: all of it or, on any error, none of it. A definition equal to
   * the stored one (version and updatedAt aside) is left untouched; a changed one gets the next
   * version. A definition that carries `version` must match the stored version.
   */
  async apply(definitions: readonly Definition[]): Promise<ApplyResult[]> {
    assertNoDuplicates(definitions);
    // Rows are locked in key order so two overlapping batches cannot deadlock on each other.
    const inLockOrder = [...definitions].sort((a, b) =>
      compare(definitionKey(a), definitionKey(b)),
    );
    const results = await this.store.transaction(async (tx) => {
      const byKey = new Map<string, ApplyResult>();
      for (const definition of inLockOrder) {
        byKey.set(definitionKey(definition), await this.applyOne(tx, definition));
      }
      return byKey;
    });
    return definitions.map((definition) => results.get(definitionKey(definition)) as ApplyResult);
  }

  /** Soft-deletes (the row keeps its version so a re-created definition continues from it) and publishes a tombstone. */
  async delete(kind: DefinitionKind, id: string, expectedVersion?: number): Promise<DeleteResult> {
    const table = TABLES[kind];
    return this.store.transaction(async (tx) => {
      const row = await lockRow(tx, table, id);
      if (!row || row.deleted_at) throw new DefinitionNotFoundError(kind, id);
      if (expectedVersion !== undefined && expectedVersion !== row.version) {
        throw new VersionConflictError(kind, id, expectedVersion, row.version);
      }
      await tx.query(`UPDATE ${table} SET deleted_at = now(), updated_at = now() WHERE id = $1`, [
        id,
      ]);
      await enqueueOutbox(tx, {
        topic: this.options.triggersTopic,
        key: definitionKey({ kind, id }),
        value: null,
      });
      return { kind, id, version: row.version };
    });
  }

  async get(kind: DefinitionKind, id: string): Promise<StoredDefinition | undefined> {
    const rows = await this.store.query<StoredDefinitionRow>(
      `SELECT version, body, updated_at FROM ${TABLES[kind]} WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    );
    return rows[0] && storedDefinition(rows[0]);
  }

  /** Current (not deleted) definitions of one kind, ordered by id. */
  async list(filter: DefinitionFilter): Promise<StoredDefinition[]> {
    const rows = await this.store.query<StoredDefinitionRow>(
      `SELECT version, body, updated_at FROM ${TABLES[filter.kind]}
        WHERE deleted_at IS NULL
          AND ($1::text IS NULL OR owner = $1::text)
          AND ($2::boolean IS NULL OR enabled = $2::boolean)
        ORDER BY id`,
      [filter.owner ?? null, filter.enabled ?? null],
    );
    return rows.map(storedDefinition);
  }

  private async applyOne(tx: Queryable, definition: Definition): Promise<ApplyResult> {
    const { kind, id } = definition;
    const table = TABLES[kind];
    const body = definitionBody(definition);
    const row = await lockRow(tx, table, id);
    const current = row && !row.deleted_at ? row : undefined;
    if (definition.version !== undefined && definition.version !== current?.version) {
      throw new VersionConflictError(kind, id, definition.version, current?.version);
    }
    if (current && sameJson(current.body, body)) {
      return { kind, id, action: 'unchanged', version: current.version };
    }
    const version = row ? row.version + 1 : 1;
    const updatedAt = await writeRow(tx, definition, body, version, row?.version);
    await enqueueOutbox(tx, {
      topic: this.options.triggersTopic,
      key: definitionKey(definition),
      value: { ...body, version, updatedAt: updatedAt.toISOString() },
    });
    return { kind, id, action: current ? 'updated' : 'created', version };
  }
}

/**
 * Inserts the definition, or overwrites the row locked earlier when `previousVersion` is set (a
 * deleted row is brought back). No row comes back only when another transaction created the same id
 * after our lookup found none.
 */
async function writeRow(
  tx: Queryable,
  definition: Definition,
  body: JsonObject,
  version: number,
  previousVersion: number | undefined,
): Promise<Date> {
  const columns: Record<string, unknown> = {
    id: definition.id,
    owner: definition.owner,
    enabled: definition.enabled,
    version,
    body: JSON.stringify(body),
    ...(definition.kind === 'source' ? { provider: definition.provider } : {}),
  };
  const names = Object.keys(columns);
  const placeholders = names.map((name, i) => `$${i + 1}${name === 'body' ? '::jsonb' : ''}`);
  const assignments = names
    .filter((name) => name !== 'id')
    .map((name) => `${name} = EXCLUDED.${name}`);
  const table = TABLES[definition.kind];
  const written = await tx.query<{ updated_at: Date }>(
    `INSERT INTO ${table} AS t (${names.join(', ')}) VALUES (${placeholders.join(', ')})
      ON CONFLICT (id) DO UPDATE SET ${assignments.join(', ')}, updated_at = now(),
        created_at = CASE WHEN t.deleted_at IS NULL THEN t.created_at ELSE now() END,
        deleted_at = NULL
      WHERE t.version = $${names.length + 1}
      RETURNING updated_at`,
    [...Object.values(columns), previousVersion ?? 0],
  );
  if (!written[0]) {
    throw new VersionConflictError(
      definition.kind,
      definition.id,
      definition.version,
      undefined,
      `${definition.kind} "${definition.id}" was created by another request at the same time; apply again`,
    );
  }
  return written[0].updated_at;
}

interface StoredDefinitionRow {
  version: number;
  body: JsonObject;
  updated_at: Date;
}

function storedDefinition(row: StoredDefinitionRow): StoredDefinition {
  // The body was a valid Definition when it was stored; reading it back does not re-validate it.
  return {
    ...row.body,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
  } as StoredDefinition;
}

async function lockRow(tx: Queryable, table: string, id: string): Promise<StoredRow | undefined> {
  const rows = await tx.query<StoredRow>(
    `SELECT version, body, deleted_at FROM ${table} WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0];
}

function assertNoDuplicates(definitions: readonly Definition[]): void {
  const seen = new Set<string>();
  for (const definition of definitions) {
    const key = definitionKey(definition);
    if (seen.has(key)) throw new DuplicateDefinitionError(definition.kind, definition.id);
    seen.add(key);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
