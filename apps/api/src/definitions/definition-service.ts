import {
  type Definition,
  DefinitionHistoryQuerySchema,
  type DefinitionHistoryPage,
  type DefinitionKind,
  type DefinitionPage,
  type DefinitionVersion,
  SourceListQuerySchema,
  type StoredDefinition,
  TriggerListQuerySchema,
  formatZodIssues,
} from '@flint/contracts';
import type { DefinitionHistoryEntry, DefinitionHistoryRepository } from './definition-history';
import type {
  ChangeOptions,
  DefinitionFilter,
  DefinitionRepository,
} from './definition-repository';
import { DefinitionNotFoundError } from './definition-errors';
import { type Principal, assertCanChange, assertCanSee, ownerScope } from '../auth/principal';
import { assertCanShare } from '../auth/sharing-access';
import { decodeCursor, encodeCursor } from './cursor';
import {
  type DefinitionValidator,
  InvalidDefinitionsError,
  InvalidInputError,
} from './definition-validator';
import { expectedVersion } from './if-match';

/** What a write returns: the definition as stored now. */
export interface WriteOutcome {
  definition: StoredDefinition;
  changed: boolean;
}

/**
 * Single-definition operations of `/api/sources` and `/api/triggers`, for one principal: the same
 * validation as batch apply, owner checks (another owner's definition is "not found"; changing one,
 * or moving a definition to another owner, needs rights on both), and If-Match versions.
 */
export class DefinitionService {
  constructor(
    private readonly repository: DefinitionRepository,
    private readonly history: DefinitionHistoryRepository,
    private readonly validator: DefinitionValidator,
    private readonly onChanged: () => void,
  ) {}

  async list(kind: DefinitionKind, principal: Principal, query: unknown): Promise<DefinitionPage> {
    const parsed = (kind === 'source' ? SourceListQuerySchema : TriggerListQuerySchema).safeParse(
      query,
    );
    if (!parsed.success) throw invalidQuery(parsed.error);
    const { limit, cursor, ...filters } = parsed.data;
    const scope = ownerScope(principal);
    if (scope !== undefined && filters.owner !== undefined && filters.owner !== scope) {
      return { items: [] };
    }
    const filter: DefinitionFilter = {
      kind,
      ...filters,
      owner: scope ?? filters.owner,
      afterId: cursor === undefined ? undefined : decodeCursor(cursor),
      limit: limit + 1,
    };
    const found = await this.repository.list(filter);
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return found.length > limit && last ? { items, nextCursor: encodeCursor(last.id) } : { items };
  }

  async get(kind: DefinitionKind, id: string, principal: Principal): Promise<StoredDefinition> {
    const definition = await this.repository.get(kind, id);
    if (!definition) throw new DefinitionNotFoundError(kind, id);
    assertCanSee(principal, definition.owner, describe(kind, id));
    return definition;
  }

  async create(
    kind: DefinitionKind,
    principal: Principal,
    body: unknown,
  ): Promise<StoredDefinition> {
    const definition = await this.validate(kind, undefined, principal, body);
    assertCanChange(principal, definition.owner, describe(kind, definition.id));
    assertCanShare(principal, fromOwnersOf(definition), undefined, describe(kind, definition.id));
    const stored = await this.repository.create(withoutVersion(definition), {
      changedBy: principal.keyId,
    });
    this.onChanged();
    return stored;
  }

  /** Full replace; `ifMatch` or the body's `version` guard against overwriting a newer change. */
  async replace(
    kind: DefinitionKind,
    id: string,
    principal: Principal,
    body: unknown,
    ifMatch: string | undefined,
  ): Promise<WriteOutcome> {
    const version = expectedVersion(ifMatch, (body as { version?: unknown } | null)?.version);
    const current = await this.get(kind, id, principal);
    const definition = await this.validate(kind, id, principal, body, current.owner);
    assertCanChange(principal, definition.owner, describe(kind, id));
    assertCanShare(principal, fromOwnersOf(definition), fromOwnersOf(current), describe(kind, id));
    const outcome = await this.repository.replace(
      withoutVersion(definition),
      this.changeOptions(kind, id, principal, version),
    );
    if (outcome.changed) this.onChanged();
    return outcome;
  }

  async delete(
    kind: DefinitionKind,
    id: string,
    principal: Principal,
    ifMatch: string | undefined,
  ): Promise<void> {
    const options = this.changeOptions(kind, id, principal, expectedVersion(ifMatch));
    await this.repository.delete(kind, id, options);
    this.onChanged();
  }

  async setEnabled(
    kind: DefinitionKind,
    id: string,
    enabled: boolean,
    principal: Principal,
    ifMatch: string | undefined,
  ): Promise<WriteOutcome> {
    const options = this.changeOptions(kind, id, principal, expectedVersion(ifMatch));
    const outcome = await this.repository.setEnabled(kind, id, enabled, options);
    if (outcome.changed) this.onChanged();
    return outcome;
  }

  async historyPage(
    kind: DefinitionKind,
    id: string,
    principal: Principal,
    query: unknown,
  ): Promise<DefinitionHistoryPage> {
    const parsed = DefinitionHistoryQuerySchema.safeParse(query);
    if (!parsed.success) throw invalidQuery(parsed.error);
    await this.assertCanSeeHistory(kind, id, principal);
    const { limit, cursor } = parsed.data;
    const found = await this.history.entries(kind, id, {
      afterSeq: cursor === undefined ? undefined : decodeSeq(decodeCursor(cursor)),
      limit: limit + 1,
    });
    const items = found.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map(publicEntry),
      ...(found.length > limit && last ? { nextCursor: encodeCursor(last.seq) } : {}),
    };
  }

  async historyVersion(
    kind: DefinitionKind,
    id: string,
    version: number,
    principal: Principal,
  ): Promise<DefinitionVersion> {
    await this.assertCanSeeHistory(kind, id, principal);
    const entry = await this.history.version(kind, id, version);
    if (!entry) throw new VersionNotFoundError(kind, id, version);
    return publicEntry(entry);
  }

  /** History outlives deletion, so access follows the owner of the latest change. */
  private async assertCanSeeHistory(
    kind: DefinitionKind,
    id: string,
    principal: Principal,
  ): Promise<void> {
    const owner = await this.history.owner(kind, id);
    if (owner === undefined) throw new DefinitionNotFoundError(kind, id);
    assertCanSee(principal, owner, describe(kind, id));
  }

  private changeOptions(
    kind: DefinitionKind,
    id: string,
    principal: Principal,
    version: number | undefined,
  ): ChangeOptions {
    return {
      changedBy: principal.keyId,
      expectedVersion: version,
      authorize: (current) => {
        assertCanSee(principal, current.owner, describe(kind, id));
        assertCanChange(principal, current.owner, describe(kind, id));
      },
    };
  }

  /**
   * The route names the kind (and for PUT the id), so the body may leave them out; when it states
   * them they must agree. An omitted owner is the key's own owner (or, on replace, the current one).
   */
  private async validate(
    kind: DefinitionKind,
    id: string | undefined,
    principal: Principal,
    body: unknown,
    currentOwner?: string,
  ): Promise<Definition> {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new InvalidDefinitionsError([
        { path: '', message: `must be a ${kind} definition object` },
      ]);
    }
    const raw = { ...(body as Record<string, unknown>) };
    const issues = [];
    if (raw.kind === undefined) raw.kind = kind;
    else if (raw.kind !== kind) {
      issues.push({ path: 'kind', message: `must be "${kind}" (or left out) on this route` });
    }
    if (id !== undefined) {
      if (raw.id === undefined) raw.id = id;
      else if (raw.id !== id) {
        issues.push({ path: 'id', message: `must be "${id}" as in the URL (or left out)` });
      }
    }
    const defaultOwner = currentOwner ?? ownerScope(principal);
    if (raw.owner === undefined && defaultOwner !== undefined) raw.owner = defaultOwner;
    if (issues.length > 0) throw new InvalidDefinitionsError(issues);
    return this.validator.validateOne(raw);
  }
}

export class VersionNotFoundError extends Error {
  override readonly name = 'VersionNotFoundError';
  constructor(kind: DefinitionKind, id: string, version: number) {
    super(`${kind} "${id}" has no version ${version}`);
  }
}

function describe(kind: DefinitionKind, id: string): string {
  return `${kind} "${id}"`;
}

function fromOwnersOf(definition: Definition | StoredDefinition): unknown {
  return definition.kind === 'trigger' ? definition.fromOwners : undefined;
}

function withoutVersion(definition: Definition): Definition {
  const { version: _version, ...rest } = definition;
  return rest as Definition;
}

function publicEntry(entry: DefinitionHistoryEntry): DefinitionVersion {
  const { seq: _seq, ...rest } = entry;
  return rest;
}

function decodeSeq(after: string): string {
  if (/^\d{1,18}$/.test(after)) return after;
  throw new InvalidInputError('invalid_query', 'cursor is not one this API returned', [
    { path: 'cursor', message: 'pass the nextCursor of the previous page unchanged' },
  ]);
}

function invalidQuery(error: Parameters<typeof formatZodIssues>[0]): InvalidInputError {
  const issues = formatZodIssues(error);
  return new InvalidInputError('invalid_query', `${issues.length} problem(s) in the query`, issues);
}
