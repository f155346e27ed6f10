import { NotFoundException } from '@nestjs/common';
import type { DefinitionKind, StoredSource, StoredTrigger } from '@flint/contracts';
import type { DefinitionRepository } from '../definitions/definition-repository';
import { assertCanSee, type Principal } from '../auth/principal';

/** A stored trigger the principal may see; 404 when it is missing or another owner's. */
export async function visibleTrigger(
  repository: DefinitionRepository,
  principal: Principal,
  id: string,
): Promise<StoredTrigger> {
  return (await visible(repository, principal, 'trigger', id)) as StoredTrigger;
}

/** A stored source the principal may see; 404 when it is missing or another owner's. */
export async function visibleSource(
  repository: DefinitionRepository,
  principal: Principal,
  id: string,
): Promise<StoredSource> {
  return (await visible(repository, principal, 'source', id)) as StoredSource;
}

async function visible(
  repository: DefinitionRepository,
  principal: Principal,
  kind: DefinitionKind,
  id: string,
) {
  const definition = await repository.get(kind, id);
  if (!definition) {
    throw new NotFoundException({
      error: { code: 'not_found', message: `${kind} ${id} not found` },
    });
  }
  assertCanSee(principal, definition.owner, `${kind} ${id}`);
  return definition;
}
