import { DEFAULT_OWNER, type DefinitionKind } from '@flint/contracts';
import { type Principal, assertCanChange, ownerScope } from './principal';
import { assertCanShare } from './sharing-access';

/** What the batch check needs of the stored definition, undefined when there is none. */
export type CurrentDefinition = (
  kind: DefinitionKind,
  id: string,
) => Promise<{ owner: string; fromOwners?: unknown } | undefined>;

/**
 * A batch apply needs an editor key, and for an editor every definition in it, as sent and as stored,
 * must belong to the key's owner: a team can neither write into another team's space nor take over
 * another team's definition by sending it under its own owner, and only an admin shares a trigger
 * with other owners (`fromOwners`). Runs before validation, so it reads
 * the raw batch; what it cannot read (no kind or id) is left to the validator's 400.
 */
export async function assertCanApplyBatch(
  principal: Principal,
  body: unknown,
  current: CurrentDefinition,
): Promise<void> {
  assertCanChange(principal, ownerScope(principal) ?? DEFAULT_OWNER, 'definitions');
  if (ownerScope(principal) === undefined) return;
  const definitions = (body as { definitions?: unknown } | null)?.definitions;
  if (!Array.isArray(definitions)) return;
  for (const raw of definitions) {
    const { kind, id, owner, fromOwners } = (raw ?? {}) as Record<string, unknown>;
    if ((kind !== 'source' && kind !== 'trigger') || typeof id !== 'string') continue;
    const what = `${kind} "${id}"`;
    assertCanChange(principal, typeof owner === 'string' ? owner : DEFAULT_OWNER, what);
    const stored = await current(kind, id);
    if (stored !== undefined) assertCanChange(principal, stored.owner, what);
    assertCanShare(principal, fromOwners, stored?.fromOwners, what);
  }
}
