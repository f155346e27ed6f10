import { z } from 'zod';
import { SourceDefinitionSchema, StoredSourceSchema } from './sources/source-definition';
import { discriminatorError } from './strict';
import { StoredTriggerSchema, TriggerDefinitionSchema } from './triggers/trigger-definition';

export const DEFINITION_KINDS = ['source', 'trigger'] as const;
export type DefinitionKind = (typeof DEFINITION_KINDS)[number];

const kindError = discriminatorError('kind', 'kind', DEFINITION_KINDS);

/** Anything a user applies: a source or a trigger, told apart by `kind`. */
export const DefinitionSchema = z
  .discriminatedUnion('kind', [SourceDefinitionSchema, TriggerDefinitionSchema], {
    error: kindError,
  })
  .describe('A Flint source or trigger definition.');
export type Definition = z.infer<typeof DefinitionSchema>;
export type DefinitionInput = z.input<typeof DefinitionSchema>;

/**
 * The JSON value of a definition on the compacted `flint.triggers` topic (key: definitionKey); a
 * deleted definition is a tombstone, a null value under its key.
 */
export const StoredDefinitionSchema = z.discriminatedUnion(
  'kind',
  [StoredSourceSchema, StoredTriggerSchema],
  { error: kindError },
);
export type StoredDefinition = z.infer<typeof StoredDefinitionSchema>;

/** The identity of a definition: its Kafka key on `flint.triggers` and its key in the store. */
export function definitionKey(definition: { kind: DefinitionKind; id: string }): string {
  return `${definition.kind}:${definition.id}`;
}
