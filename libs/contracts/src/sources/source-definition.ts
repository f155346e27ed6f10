import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema, OwnerSchema, VersionSchema } from '../primitives';
import { discriminatorError, strictObject } from '../strict';
import { SOURCE_KIND_NAMES } from '../registry/lookups';
import { SOURCE_KINDS, type SourceKind } from '../registry/source-kinds';

export const DEFAULT_OWNER = 'default';

const DescriptionSchema = z.string().max(1024, 'must be at most 1024 characters');

/** Fields every source has, whatever its provider. */
const sourceFields = {
  kind: z.literal('source'),
  id: IdSchema,
  owner: OwnerSchema.default(DEFAULT_OWNER),
  enabled: z.boolean().default(true),
  description: DescriptionSchema.optional(),
  version: VersionSchema.optional(),
};

/** An inline source has no kind; its id and owner default from the trigger that declares it. */
const inlineSourceFields = {
  id: IdSchema.optional(),
  owner: OwnerSchema.optional(),
  enabled: z.boolean().default(true),
  description: DescriptionSchema.optional(),
  version: VersionSchema.optional(),
};

/** What the compacted triggers topic and the store hold: version and change time are always known. */
export const storedFields = {
  version: VersionSchema,
  updatedAt: IsoDateTimeSchema,
};

/** The schema of a source of one kind: the common fields, the kind, and the kind's config. */
type KindSchema<Fields extends z.ZodRawShape, K extends SourceKind> = ReturnType<
  typeof strictObject<
    Fields & { provider: z.ZodLiteral<K>; config: (typeof SOURCE_KINDS)[K]['config'] }
  >
>;
type AnyKindSchema<Fields extends z.ZodRawShape> = {
  [K in SourceKind]: KindSchema<Fields, K>;
}[SourceKind];

/** One member per registered kind, in registry order, discriminated by `provider`. */
function sourceUnion<Fields extends z.ZodRawShape>(fields: Fields) {
  const members = SOURCE_KIND_NAMES.map((kind) =>
    strictObject({ ...fields, provider: z.literal(kind), config: SOURCE_KINDS[kind].config }),
  );
  return z.discriminatedUnion(
    'provider',
    members as unknown as [AnyKindSchema<Fields>, ...AnyKindSchema<Fields>[]],
    { error: discriminatorError('provider', 'provider', SOURCE_KIND_NAMES) },
  );
}

export const SourceDefinitionSchema = sourceUnion(sourceFields).describe(
  'A Flint source: one webhook endpoint, poll job, schedule, watched folder or event-type listener.',
);
export type SourceDefinition = z.infer<typeof SourceDefinitionSchema>;
export type SourceDefinitionInput = z.input<typeof SourceDefinitionSchema>;

export const InlineSourceSchema = sourceUnion(inlineSourceFields);
/** An inline source as written in a trigger, before its id and owner are filled in. */
export type InlineSourceInput = z.input<typeof InlineSourceSchema>;

export const StoredSourceSchema = sourceUnion({ ...sourceFields, ...storedFields });
export type StoredSource = z.infer<typeof StoredSourceSchema>;

/** A stored source as the API shows it, with fields that are not part of the definition. */
export function storedSourceWith<Extra extends z.ZodRawShape>(extra: Extra) {
  return sourceUnion({ ...sourceFields, ...storedFields, ...extra });
}
