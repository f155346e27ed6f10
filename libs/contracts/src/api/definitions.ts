import { z } from 'zod';
import { DEFINITION_KINDS, StoredDefinitionSchema } from '../definition';
import { IdSchema, IsoDateTimeSchema, OwnerSchema, VersionSchema } from '../primitives';
import { SOURCE_KIND_NAMES } from '../registry/lookups';
import { storedSourceWith } from '../sources/source-definition';
import { CursorSchema, PageLimitSchema, pageSchema } from './common';
import { SourceHealthSchema } from './console';

/** `PUT /api/definitions`: a batch applied as a whole, in one transaction. */
export const ApplyRequestSchema = z
  .object({ definitions: z.array(z.unknown()).min(1).max(1000) })
  .strict();

export const APPLY_ACTIONS = ['created', 'updated', 'unchanged'] as const;
export type ApplyAction = (typeof APPLY_ACTIONS)[number];

export const ApplyResultSchema = z.object({
  kind: z.enum(DEFINITION_KINDS),
  id: z.string(),
  action: z.enum(APPLY_ACTIONS),
  /** The stored version after the apply. */
  version: z.number().int().positive(),
});
export type ApplyResult = z.infer<typeof ApplyResultSchema>;

export const ApplyResponseSchema = z.object({ results: z.array(ApplyResultSchema) });
export type ApplyResponse = z.infer<typeof ApplyResponseSchema>;

/** `GET /api/definitions?kind=`: every current definition of one kind. */
export const DefinitionKindQuerySchema = z.object({ kind: z.enum(DEFINITION_KINDS) }).strict();

export const DefinitionListResponseSchema = z.object({ items: z.array(StoredDefinitionSchema) });

const EnabledQuerySchema = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .optional()
  .describe('Only enabled (`true`) or only disabled (`false`) definitions.');

/** `GET /api/sources`: filters and keyset pagination, ordered by id. */
export const SourceListQuerySchema = z
  .object({
    owner: OwnerSchema.optional().describe('Only this owner’s sources.'),
    enabled: EnabledQuerySchema,
    provider: z.enum(SOURCE_KIND_NAMES).optional().describe('Only sources of this provider.'),
    limit: PageLimitSchema,
    cursor: CursorSchema.optional(),
  })
  .strict();
export type SourceListQuery = z.infer<typeof SourceListQuerySchema>;

/** `GET /api/triggers`: filters and keyset pagination, ordered by id. */
export const TriggerListQuerySchema = z
  .object({
    owner: OwnerSchema.optional().describe('Only this owner’s triggers.'),
    enabled: EnabledQuerySchema,
    source: IdSchema.optional().describe('Only triggers listening to this source id.'),
    limit: PageLimitSchema,
    cursor: CursorSchema.optional(),
  })
  .strict();
export type TriggerListQuery = z.infer<typeof TriggerListQuerySchema>;

export const DefinitionPageSchema = pageSchema(StoredDefinitionSchema);
export type DefinitionPage = z.infer<typeof DefinitionPageSchema>;

/**
 * `GET /api/sources/:id` and each item of `GET /api/sources`: the stored source and how it is doing
 * now (`status`, from the provider replicas' reports). `status` is not part of the definition: a
 * body sent back to `PUT` must leave it out.
 */
export const SourceWithStatusSchema = storedSourceWith({ status: SourceHealthSchema }).describe(
  'A stored source with its current status.',
);
export type SourceWithStatus = z.infer<typeof SourceWithStatusSchema>;
export const SourcePageSchema = pageSchema(SourceWithStatusSchema);
export type SourcePage = z.infer<typeof SourcePageSchema>;

export const DefinitionIdParamsSchema = z.object({ id: IdSchema });

export const DefinitionVersionParamsSchema = z.object({
  id: IdSchema,
  version: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a version number (1 or more)')
    .transform(Number),
});

/**
 * The optimistic-concurrency header of writes: the version the caller last read, as the ETag of
 * `GET` returned it. A stale version gets 409 `version_conflict`; without it the last writer wins.
 */
export const IfMatchHeadersSchema = z.object({
  'if-match': z
    .string()
    .optional()
    .describe('`"<version>"`, the ETag of the definition as last read.'),
});

export const DEFINITION_CHANGE_ACTIONS = [
  'created',
  'updated',
  'deleted',
  'enabled',
  'disabled',
] as const;
export type DefinitionChangeAction = (typeof DEFINITION_CHANGE_ACTIONS)[number];

/** One entry of a definition's history: the body stored by a change (for `deleted`, the body deleted). */
export const DefinitionVersionSchema = z.object({
  kind: z.enum(DEFINITION_KINDS),
  id: IdSchema,
  version: VersionSchema,
  action: z.enum(DEFINITION_CHANGE_ACTIONS),
  owner: OwnerSchema,
  /** The id of the API key that made the change; null for changes made before history was kept. */
  changedBy: z.string().nullable(),
  changedAt: IsoDateTimeSchema,
  definition: StoredDefinitionSchema,
});
export type DefinitionVersion = z.infer<typeof DefinitionVersionSchema>;

export const DefinitionHistoryQuerySchema = z
  .object({ limit: PageLimitSchema, cursor: CursorSchema.optional() })
  .strict();

export const DefinitionHistoryPageSchema = pageSchema(DefinitionVersionSchema);
export type DefinitionHistoryPage = z.infer<typeof DefinitionHistoryPageSchema>;

/** `GET /api/workflows`: the local workflows a `local` target may name. */
export const LocalWorkflowListSchema = z.object({
  items: z.array(z.string()).describe('The names, sorted.'),
  announced: z
    .boolean()
    .describe(
      'Whether any runner announced its workflows; when none did, `local` targets are not checked.',
    ),
});
export type LocalWorkflowList = z.infer<typeof LocalWorkflowListSchema>;
