import type { RunnableKind, StoredDefinition } from '@flint/contracts';
import type { SourceOf } from './provider';

export interface SelectedSources<K extends RunnableKind> {
  /** By source id: the enabled sources of the provider kind, standalone or inline. */
  sources: Map<string, SourceOf<K>>;
  /** Source ids declared more than once; the standalone (or first, by trigger id) one is used. */
  duplicates: string[];
}

/**
 * The sources one provider should run: enabled standalone sources, and enabled inline sources of
 * enabled triggers (a disabled trigger has nobody listening to its inline sources). An inline source
 * takes its trigger's version and change time.
 */
export function selectSources<K extends RunnableKind>(
  definitions: ReadonlyMap<string, StoredDefinition>,
  kind: K,
): SelectedSources<K> {
  const sources = new Map<string, SourceOf<K>>();
  const duplicates: string[] = [];
  const keys = [...definitions.keys()].sort();
  for (const key of keys) {
    const definition = definitions.get(key)!;
    if (definition.kind === 'source' && definition.provider === kind && definition.enabled) {
      sources.set(definition.id, definition as SourceOf<K>);
    }
  }
  for (const key of keys) {
    const trigger = definitions.get(key)!;
    if (trigger.kind !== 'trigger' || !trigger.enabled) continue;
    for (const inline of trigger.sources ?? []) {
      if (typeof inline === 'string' || inline.provider !== kind || !inline.enabled) continue;
      if (sources.has(inline.id)) {
        duplicates.push(inline.id);
        continue;
      }
      const source = {
        ...inline,
        kind: 'source',
        version: trigger.version,
        updatedAt: trigger.updatedAt,
      } as SourceOf<K>;
      sources.set(inline.id, source);
    }
  }
  return { sources, duplicates };
}

/** What decides whether a running source must restart: everything but version and change time. */
export function sourceFingerprint(source: SourceOf<RunnableKind>): string {
  const { version: _version, updatedAt: _updatedAt, ...rest } = source;
  return JSON.stringify(rest);
}
