import type { DefinitionKind } from '@flint/contracts';

/**
 * The caller's idea of a definition's version is stale: someone changed it in between. Nothing in the
 * batch was stored; fetch the current definition and apply again.
 */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';

  constructor(
    readonly kind: DefinitionKind,
    readonly id: string,
    /** The version the caller sent. */
    readonly expectedVersion: number | undefined,
    /** The stored version, undefined when no such definition exists. */
    readonly actualVersion: number | undefined,
    reason?: string,
  ) {
    super(
      reason ??
        (actualVersion === undefined
          ? `${kind} "${id}": version ${expectedVersion} was given but no such ${kind} exists; leave out "version" to create it`
          : `${kind} "${id}": version ${expectedVersion} was given but the stored version is ${actualVersion}; fetch the current definition and apply again`),
    );
  }
}

export class DefinitionNotFoundError extends Error {
  override readonly name = 'DefinitionNotFoundError';

  constructor(
    readonly kind: DefinitionKind,
    readonly id: string,
  ) {
    super(`${kind} "${id}" does not exist`);
  }
}

/** A batch that names the same definition twice is ambiguous: which one should win? */
export class DuplicateDefinitionError extends Error {
  override readonly name = 'DuplicateDefinitionError';

  constructor(
    readonly kind: DefinitionKind,
    readonly id: string,
  ) {
    super(`${kind} "${id}" appears more than once in the batch; apply each definition once`);
  }
}
