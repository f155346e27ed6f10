import type { Log } from '@flint/common';
import type { StoredDefinition } from '@flint/contracts';
import type { TriggerIndex } from './trigger-index';

/** A change of one definition, as the definition feed reports it. */
export interface DefinitionUpdate {
  kind: 'source' | 'trigger';
  id: string;
  /** Undefined when the definition was deleted. */
  current?: StoredDefinition;
}

/** Applies a change from the triggers topic to the index, and says what needs a human's attention. */
export function applyDefinitionChange(
  index: TriggerIndex,
  update: DefinitionUpdate,
  log: Log,
): void {
  const { kind, id, current } = update;
  if (kind === 'source') {
    index.setSource(id, current?.kind === 'source' ? current : undefined);
    return;
  }
  const trigger = index.setTrigger(id, current?.kind === 'trigger' ? current : undefined);
  if (trigger?.kind === 'broken') {
    log('error', 'trigger expressions do not compile; events that reach it count as errors', {
      triggerId: id,
      version: trigger.version,
      error: trigger.reason,
    });
  }
  const unresolved = trigger ? index.unresolvedSourcesOf(id) : [];
  if (unresolved.length > 0) {
    // Often only for a moment: a trigger and its source can sit on different partitions of the
    // triggers topic. `reportUnresolvedSources` warns about those still missing once all is read.
    log('debug', 'trigger names sources that are not defined yet', {
      triggerId: id,
      sources: unresolved,
    });
  }
}

/** Warns about every trigger that names a source nobody defined; they feed it nothing until then. */
export function reportUnresolvedSources(index: TriggerIndex, log: Log): void {
  for (const trigger of index.triggers()) {
    const unresolved = index.unresolvedSourcesOf(trigger.id);
    if (unresolved.length === 0) continue;
    log('warn', 'trigger names sources that are not defined; they feed it nothing until they are', {
      triggerId: trigger.id,
      sources: unresolved,
    });
  }
}
