import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema, OwnerSchema, VersionSchema } from '../primitives';
import { discriminatorError, strictObject } from '../strict';
import { CronConfigSchema } from './cron-config';
import { EventConfigSchema } from './event-config';
import { FileConfigSchema } from './file-config';
import { PollerConfigSchema } from './poller-config';
import { RunStatusConfigSchema } from './run-status-config';
import { WebhookConfigSchema } from './webhook-config';

/** Kinds of source a definition can declare (the `provider` field). */
export const SOURCE_PROVIDERS = [
  'webhook',
  'poller',
  'cron',
  'file',
  'event',
  'run-status',
] as const;
export type SourceProvider = (typeof SOURCE_PROVIDERS)[number];

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

function sourceUnion<Fields extends z.ZodRawShape>(fields: Fields) {
  return z.discriminatedUnion(
    'provider',
    [
      strictObject({ ...fields, provider: z.literal('webhook'), config: WebhookConfigSchema }),
      strictObject({ ...fields, provider: z.literal('poller'), config: PollerConfigSchema }),
      strictObject({ ...fields, provider: z.literal('cron'), config: CronConfigSchema }),
      strictObject({ ...fields, provider: z.literal('file'), config: FileConfigSchema }),
      strictObject({ ...fields, provider: z.literal('event'), config: EventConfigSchema }),
      strictObject({ ...fields, provider: z.literal('run-status'), config: RunStatusConfigSchema }),
    ],
    { error: discriminatorError('provider', 'provider', SOURCE_PROVIDERS) },
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
