import {
  ApplyRequestSchema,
  ApplyResponseSchema,
  DefinitionHistoryPageSchema,
  DefinitionHistoryQuerySchema,
  DefinitionIdParamsSchema,
  DefinitionKindQuerySchema,
  DefinitionListResponseSchema,
  DefinitionPageSchema,
  DefinitionSchema,
  DefinitionVersionParamsSchema,
  DefinitionVersionSchema,
  IfMatchHeadersSchema,
  LocalWorkflowListSchema,
  SourceListQuerySchema,
  SourcePageSchema,
  SourceWithStatusSchema,
  StoredDefinitionSchema,
  TriggerListQuerySchema,
} from '@flint/contracts';
import { type ApiRoute, components, errorResponse } from '../openapi/api-route';

const {
  Definition,
  StoredDefinition,
  DefinitionPage,
  DefinitionVersion,
  DefinitionHistoryPage,
  SourceWithStatus,
  SourcePage,
} = components({
  Definition: DefinitionSchema,
  StoredDefinition: StoredDefinitionSchema,
  DefinitionPage: DefinitionPageSchema,
  DefinitionVersion: DefinitionVersionSchema,
  DefinitionHistoryPage: DefinitionHistoryPageSchema,
  SourceWithStatus: SourceWithStatusSchema,
  SourcePage: SourcePageSchema,
});

const ETAG = { ETag: 'The stored version, quoted ("3"); send it back as If-Match.' };
const stored = (description: string) => ({ description, schema: StoredDefinition, headers: ETAG });
const notFound = errorResponse('No such definition (or it belongs to another owner).');
const conflict = errorResponse(
  'If-Match (or the body version) is stale: `version_conflict` with `currentVersion`.',
);

/** The same routes for `/api/sources` and `/api/triggers`. */
function resourceRoutes(kind: 'source' | 'trigger'): ApiRoute[] {
  const base = `/api/${kind}s`;
  const tag = 'Definitions';
  const a = kind === 'source' ? 'a source' : 'a trigger';
  return [
    {
      method: 'GET',
      path: base,
      tag,
      access: 'viewer',
      summary: `List ${kind}s`,
      description:
        kind === 'source'
          ? 'Ordered by id; filter by owner, enabled and provider. Follow `nextCursor` for more.'
          : 'Ordered by id; filter by owner, enabled and the source a trigger listens to. Follow `nextCursor` for more.',
      query: kind === 'source' ? SourceListQuerySchema : TriggerListQuerySchema,
      responses: {
        200:
          kind === 'source'
            ? {
                description: 'A page of sources, each with its current `status`.',
                schema: SourcePage,
              }
            : { description: 'A page of triggers.', schema: DefinitionPage },
      },
    },
    {
      method: 'POST',
      path: base,
      tag,
      access: 'editor',
      summary: `Create ${a}`,
      description: `\`kind\` may be left out. Without \`owner\`, a scoped key's own owner is used.`,
      body: Definition,
      responses: {
        201: stored(`The created ${kind}, at version 1 or after its deleted predecessor's.`),
        409: errorResponse(`${a} with this id exists: \`already_exists\`.`),
      },
    },
    {
      method: 'GET',
      path: `${base}/:id`,
      tag,
      access: 'viewer',
      summary: `Get ${a}`,
      ...(kind === 'source'
        ? {
            description:
              '`status` says how the source is doing now, from the reports of the provider replicas ' +
              'running it: its state (`up`, `failing`, `failed`, `down`…), last success, last error ' +
              'with its time and failures in a row. It is not part of the definition: leave it out ' +
              'of a body sent back to `PUT`.',
          }
        : {}),
      params: DefinitionIdParamsSchema,
      responses: {
        200:
          kind === 'source'
            ? { description: 'The source and its status.', schema: SourceWithStatus, headers: ETAG }
            : stored('The trigger.'),
        404: notFound,
      },
    },
    {
      method: 'PUT',
      path: `${base}/:id`,
      tag,
      access: 'editor',
      summary: `Replace ${a}`,
      description:
        'Full replace. `id` and `kind` may be left out of the body. With `If-Match` (or `version` in ' +
        'the body) a stale version gets 409; without either the last writer wins. An unchanged body keeps its version. ' +
        'Moving it to another owner needs rights on both owners.',
      params: DefinitionIdParamsSchema,
      headers: IfMatchHeadersSchema,
      body: Definition,
      responses: { 200: stored(`The ${kind} as stored now.`), 404: notFound, 409: conflict },
    },
    {
      method: 'DELETE',
      path: `${base}/:id`,
      tag,
      access: 'editor',
      summary: `Delete ${a}`,
      description:
        kind === 'source'
          ? 'Publishes a tombstone. A source that triggers reference is not deleted: 409 `in_use` names them.'
          : 'Publishes a tombstone; the history is kept.',
      params: DefinitionIdParamsSchema,
      headers: IfMatchHeadersSchema,
      responses: {
        204: { description: 'Deleted.' },
        404: notFound,
        409: errorResponse(
          kind === 'source'
            ? 'Stale If-Match (`version_conflict`), or triggers use the source (`in_use`).'
            : 'Stale If-Match: `version_conflict` with `currentVersion`.',
        ),
      },
    },
    ...(['enable', 'disable'] as const).map((action): ApiRoute => ({
      method: 'POST',
      path: `${base}/:id/${action}`,
      tag,
      access: 'editor',
      summary: `${action === 'enable' ? 'Enable' : 'Disable'} ${a}`,
      description: `Idempotent: the version changes only when the ${kind} was ${action === 'enable' ? 'disabled' : 'enabled'}.`,
      params: DefinitionIdParamsSchema,
      headers: IfMatchHeadersSchema,
      responses: { 200: stored(`The ${kind} as stored now.`), 404: notFound, 409: conflict },
    })),
    {
      method: 'GET',
      path: `${base}/:id/versions`,
      tag,
      access: 'viewer',
      summary: `History of ${a}`,
      description:
        'Every change, oldest first: the body stored, who changed it (API key id), when and how. Kept after deletion.',
      params: DefinitionIdParamsSchema,
      query: DefinitionHistoryQuerySchema,
      responses: {
        200: { description: 'A page of history entries.', schema: DefinitionHistoryPage },
        404: notFound,
      },
    },
    {
      method: 'GET',
      path: `${base}/:id/versions/:version`,
      tag,
      access: 'viewer',
      summary: `One version of ${a}`,
      params: DefinitionVersionParamsSchema,
      responses: {
        200: { description: 'The change that stored this version.', schema: DefinitionVersion },
        404: errorResponse('No such definition or version.'),
      },
    },
  ];
}

export const definitionRoutes: ApiRoute[] = [
  ...resourceRoutes('source'),
  ...resourceRoutes('trigger'),
  {
    method: 'PUT',
    path: '/api/definitions',
    tag: 'Definitions',
    access: 'editor',
    summary: 'Apply a batch of sources and triggers',
    description:
      'One transaction: every definition is validated first and one problem applies nothing. ' +
      'Unchanged definitions keep their version. Used by `npx flint apply`.',
    body: ApplyRequestSchema,
    responses: {
      200: { description: 'What happened to each definition.', schema: ApplyResponseSchema },
      409: conflict,
    },
  },
  {
    method: 'GET',
    path: '/api/definitions',
    tag: 'Definitions',
    access: 'viewer',
    summary: 'Every current definition of one kind',
    query: DefinitionKindQuerySchema,
    responses: {
      200: { description: 'All definitions of the kind.', schema: DefinitionListResponseSchema },
    },
  },
  {
    method: 'GET',
    path: '/api/workflows',
    tag: 'Definitions',
    access: 'viewer',
    summary: 'The local workflows a trigger may start',
    description:
      'As the runner replicas announce them (at start and every minute). A trigger whose `local` ' +
      'target names another workflow is refused; while no runner ever announced, none is checked.',
    responses: {
      200: { description: 'The workflow names.', schema: LocalWorkflowListSchema },
    },
  },
];
