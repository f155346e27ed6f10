import {
  type ApplyResult,
  type Definition,
  type DefinitionChangeAction,
  type DefinitionKind,
  definitionKey,
  type SourceKind,
  type StoredDefinition,
} from '@flint/contracts';
import { enqueueOutbox, type Queryable, type Store } from '@flint/store';
import { recordHistory } from './definition-history';
import { definitionBody, type JsonObject, sameJson } from './definition-body';
import {
  DefinitionNotFoundError,
  DuplicateDefinitionError,
  VersionConflictError,
} from './definition-errors';

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
  /** Sources only. */
  provider?: SourceKind;
  /** Triggers only: those listening to this source id (by reference or inline). */
  source?: string;
  /** Keyset pagination: only ids after this one. */
  afterId?: string;
  /** At most this many; all when unset. */
  limit?: number;
}

export interface ChangeOptions {
  /** Who makes the change (an API key id), kept in the history. */
  changedBy?: string;
  /** The version the caller last read; any other stored version is a VersionConflictError. */
  expectedVersion?: number;
  /**
   * Called with the stored definition once it is locked, before anything changes; throwing aborts
   * the change. Permission checks go here, so the owner they check is the one being changed.
   */
  authorize?: (current: { owner: string; version: number }) => void;
}

/** What a single write did; `changed` is false when the stored definition already was so. */
export interface DefinitionChange {
  definition: StoredDefinition;
  changed: boolean;
}

export interface DefinitionRepositoryOptions {
  /** The compacted topic every change is published to (TopicNames.triggers). */
  triggersTopic: string;
}

export class DefinitionExistsError extends Error {
  override readonly name = 'DefinitionExistsError';

  constructor(
    readonly kind: DefinitionKind,
    readonly id: string,
    readonly version: number,
  ) {
    super(`${kind} "${id}" already exists (version ${version}); replace it with PUT instead`);
  }
}

/** A source cannot be deleted while triggers listen to it by reference: they would stop working silently. */
export class DefinitionInUseError extends Error {
  override readonly name = 'DefinitionInUseError';

  constructor(
    readonly kind: DefinitionKind,
    readonly id: string,
    readonly triggerIds: readonly string[],
  ) {
    super(
      `${kind} "${id}" is used by trigger(s) ${triggerIds.map((t) => `"${t}"`).join(', ')}; ` +
        'delete them or remove the source from them first',
    );
  }
}

/** Table names come from this map only, never from input. */
const TABLES: Record<DefinitionKind, string> = { source: 'sources', trigger: 'triggers' };

interface StoredRow {
  version: number;
  body: JsonObject;
  deleted_at: Date | null;
}

/** A row that exists and is not deleted. */
type CurrentRow = StoredRow & { deleted_at: null };

/**
 * Sources and triggers with optimistic versioning. Every change commits together with its outbox
 * message for the triggers topic (see outbox.ts for why) and its history entry, so what the topic and
 * the history say is what was stored.
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
  async apply(
    definitions: readonly Definition[],
    options: Pick<ChangeOptions, 'changedBy'> = {},
  ): Promise<ApplyResult[]> {
    assertNoDuplicates(definitions);
    // Rows are locked in key order so two overlapping batches cannot deadlock on each other.
    const inLockOrder = [...definitions].sort((a, b) =>
      compare(definitionKey(a), definitionKey(b)),
    );
    const results = await this.store.transaction(async (tx) => {
      const byKey = new Map<string, ApplyResult>();
      for (const definition of inLockOrder) {
        byKey.set(
          definitionKey(definition),
          await this.applyOne(tx, definition, options.changedBy),
        );
      }
      return byKey;
    });
    return definitions.map((definition) => results.get(definitionKey(definition)) as ApplyResult);
  }

  /** Stores a new definition at the next version of its id; DefinitionExistsError if it exists. */
  async create(definition: Definition, options: ChangeOptions = {}): Promise<StoredDefinition> {
    const { kind, id } = definition;
    return this.store.transaction(async (tx) => {
      const row = await lockRow(tx, TABLES[kind], id);
      if (row && !row.deleted_at) throw new DefinitionExistsError(kind, id, row.version);
      return this.write(tx, definition, row, 'created', options.changedBy);
    });
  }

  /** Replaces the whole stored definition; an equal one is left as it is. */
  async replace(definition: Definition, options: ChangeOptions = {}): Promise<DefinitionChange> {
    const { kind, id } = definition;
    return this.store.transaction(async (tx) => {
      const row = await lockCurrentRow(tx, kind, id, options);
      const body = definitionBody(definition);
      if (sameJson(row.body, body)) {
        return { definition: await currentDefinition(tx, kind, id), changed: false };
      }
      const stored = await this.write(tx, definition, row, 'updated', options.changedBy);
      return { definition: stored, changed: true };
    });
  }

  /** Turns a definition on or off; already so, it keeps its version. */
  async setEnabled(
    kind: DefinitionKind,
    id: string,
    enabled: boolean,
    options: ChangeOptions = {},
  ): Promise<DefinitionChange> {
    return this.store.transaction(async (tx) => {
      const row = await lockCurrentRow(tx, kind, id, options);
      if (row.body.enabled === enabled) {
        return { definition: await currentDefinition(tx, kind, id), changed: false };
      }
      // The body was a valid Definition when it was stored, and flipping `enabled` keeps it valid.
      const definition = { ...row.body, enabled } as unknown as Definition;
      const action = enabled ? 'enabled' : 'disabled';
      return {
        definition: await this.write(tx, definition, row, action, options.changedBy),
        changed: true,
      };
    });
  }

  /**
   * Soft-deletes (the row keeps its version so a re-created definition continues from it) and
   * publishes a tombstone. A source that triggers reference by id is not deleted.
   */
  async delete(
    kind: DefinitionKind,
    id: string,
    options: ChangeOptions = {},
  ): Promise<DeleteResult> {
    const table = TABLES[kind];
    return this.store.transaction(async (tx) => {
      const row = await lockCurrentRow(tx, kind, id, options);
      if (kind === 'source') {
        const users = await tx.query<{ id: string }>(
          `SELECT id FROM triggers
            WHERE deleted_at IS NULL AND body->'sources' @> jsonb_build_array($1::text)
            ORDER BY id`,
          [id],
        );
        if (users.length > 0) {
          throw new DefinitionInUseError(
            kind,
            id,
            users.map((user) => user.id),
          );
        }
      }
      await tx.query(`UPDATE ${table} SET deleted_at = now(), updated_at = now() WHERE id = $1`, [
        id,
      ]);
      await enqueueOutbox(tx, {
        topic: this.options.triggersTopic,
        key: definitionKey({ kind, id }),
        value: null,
      });
      await recordHistory(tx, {
        kind,
        id,
        version: row.version,
        action: 'deleted',
        body: row.body,
        changedBy: options.changedBy,
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

  /** How many current definitions of one kind there are, and how many of them are enabled. */
  async count(kind: DefinitionKind, owner?: string): Promise<{ total: number; enabled: number }> {
    const [row] = await this.store.query<{ total: string; enabled: string }>(
      `SELECT count(*) AS total, count(*) FILTER (WHERE enabled) AS enabled FROM ${TABLES[kind]}
        WHERE deleted_at IS NULL AND ($1::text IS NULL OR owner = $1)`,
      [owner ?? null],
    );
    return { total: Number(row?.total ?? 0), enabled: Number(row?.enabled ?? 0) };
  }

  /** Current (not deleted) definitions of one kind, ordered by id. */
  async list(filter: DefinitionFilter): Promise<StoredDefinition[]> {
    const conditions = ['deleted_at IS NULL'];
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.owner !== undefined) conditions.push(`owner = ${param(filter.owner)}::text`);
    if (filter.enabled !== undefined) {
      conditions.push(`enabled = ${param(filter.enabled)}::boolean`);
    }
    if (filter.provider !== undefined) {
      if (filter.kind !== 'source') throw new RangeError('only sources have a provider');
      conditions.push(`provider = ${param(filter.provider)}::text`);
    }
    if (filter.source !== undefined) {
      if (filter.kind !== 'trigger') throw new RangeError('only triggers listen to sources');
      const source = param(filter.source);
      conditions.push(
        `jsonb_typeof(body->'sources') = 'array' AND EXISTS (
           SELECT 1 FROM jsonb_array_elements(body->'sources') AS listened(value)
            WHERE listened.value = to_jsonb(${source}::text) OR listened.value->>'id' = ${source}::text)`,
      );
    }
    if (filter.afterId !== undefined) conditions.push(`id > ${param(filter.afterId)}::text`);
    const limit = filter.limit === undefined ? '' : ` LIMIT ${param(filter.limit)}::int`;
    const rows = await this.store.query<StoredDefinitionRow>(
      `SELECT version, body, updated_at FROM ${TABLES[filter.kind]}
        WHERE ${conditions.join(' AND ')}
        ORDER BY id${limit}`,
      params,
    );
    return rows.map(storedDefinition);
  }

  private async applyOne(
    tx: Queryable,
    definition: Definition,
    changedBy: string | undefined,
  ): Promise<ApplyResult> {
    const { kind, id } = definition;
    const row = await lockRow(tx, TABLES[kind], id);
    const current = row && !row.deleted_at ? row : undefined;
    if (definition.version !== undefined && definition.version !== current?.version) {
      throw new VersionConflictError(kind, id, definition.version, current?.version);
    }
    if (current && sameJson(current.body, definitionBody(definition))) {
      return { kind, id, action: 'unchanged', version: current.version };
    }
    const action = current ? 'updated' : 'created';
    const stored = await this.write(tx, definition, row, action, changedBy);
    return { kind, id, action, version: stored.version };
  }

  /** Writes the next version of a definition with its outbox message and history entry. */
  private async write(
    tx: Queryable,
    definition: Definition,
    row: StoredRow | undefined,
    action: Exclude<DefinitionChangeAction, 'deleted'>,
    changedBy: string | undefined,
  ): Promise<StoredDefinition> {
    const body = definitionBody(definition);
    const version = row ? row.version + 1 : 1;
    const updatedAt = await writeRow(tx, definition, body, version, row?.version);
    const stored = { ...body, version, updatedAt: updatedAt.toISOString() };
    await enqueueOutbox(tx, {
      topic: this.options.triggersTopic,
      key: definitionKey(definition),
      value: stored,
    });
    await recordHistory(tx, {
      kind: definition.kind,
      id: definition.id,
      version,
      action,
      body,
      changedBy,
    });
    return stored as StoredDefinition;
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

async function currentDefinition(
  tx: Queryable,
  kind: DefinitionKind,
  id: string,
): Promise<StoredDefinition> {
  const rows = await tx.query<StoredDefinitionRow>(
    `SELECT version, body, updated_at FROM ${TABLES[kind]} WHERE id = $1`,
    [id],
  );
  return storedDefinition(rows[0] as StoredDefinitionRow);
}

async function lockRow(tx: Queryable, table: string, id: string): Promise<StoredRow | undefined> {
  const rows = await tx.query<StoredRow>(
    `SELECT version, body, deleted_at FROM ${table} WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return rows[0];
}

/** Locks a definition that must exist, at the expected version when one is given. */
async function lockCurrentRow(
  tx: Queryable,
  kind: DefinitionKind,
  id: string,
  options: ChangeOptions,
): Promise<CurrentRow> {
  const row = await lockRow(tx, TABLES[kind], id);
  if (!row || row.deleted_at) throw new DefinitionNotFoundError(kind, id);
  options.authorize?.({ owner: String(row.body.owner), version: row.version });
  if (options.expectedVersion !== undefined && options.expectedVersion !== row.version) {
    throw new VersionConflictError(kind, id, options.expectedVersion, row.version);
  }
  return row as CurrentRow;
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
