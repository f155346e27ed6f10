import {
  ApiKeyInfoSchema,
  ApiKeyListSchema,
  CreateApiKeyRequestSchema,
  CreatedApiKeySchema,
  PutSecretRequestSchema,
  SecretListSchema,
  SecretMetadataSchema,
  SecretNameParamsSchema,
  SecretRotationSchema,
} from '@flint/contracts';
import { z } from 'zod';
import { type ApiRoute, components, errorResponse } from '../openapi/api-route';

const { ApiKeyInfo, SecretMetadata } = components({
  ApiKeyInfo: ApiKeyInfoSchema,
  SecretMetadata: SecretMetadataSchema,
});
const disabled = errorResponse(
  'Secrets are not enabled on this server (FLINT_SECRETS_KEYS is unset): `secrets_disabled`.',
);
const secretNotFound = errorResponse('No such secret (or it belongs to another owner).');

/** API keys and secrets; also the 413 and 429 every route may answer. */
export const accessRoutes: ApiRoute[] = [
  {
    method: 'POST',
    path: '/api/keys',
    tag: 'Access',
    access: 'admin',
    summary: 'Create an API key',
    description:
      'The answer carries the key, once; only its SHA-256 is stored. Editor and viewer keys need an `owner`, admin keys have none.',
    body: CreateApiKeyRequestSchema,
    responses: { 201: { description: 'The key and its metadata.', schema: CreatedApiKeySchema } },
  },
  {
    method: 'GET',
    path: '/api/keys',
    tag: 'Access',
    access: 'admin',
    summary: 'List API keys',
    description: 'Every key, revoked ones included; never a key or its hash.',
    responses: { 200: { description: 'The keys, oldest first.', schema: ApiKeyListSchema } },
  },
  {
    method: 'DELETE',
    path: '/api/keys/:id',
    tag: 'Access',
    access: 'admin',
    summary: 'Revoke an API key',
    description: 'Takes effect on the next request. Revoking a revoked key changes nothing.',
    params: z.object({ id: z.string() }),
    responses: {
      200: { description: 'The revoked key.', schema: ApiKeyInfo },
      404: errorResponse('No such key.'),
    },
  },
  {
    method: 'PUT',
    path: '/api/secrets/:name',
    tag: 'Access',
    access: 'editor',
    summary: 'Set a secret',
    description:
      'Encrypted with AES-256-GCM under the first key of FLINT_SECRETS_KEYS. The value is never returned. Without `owner`, a new secret gets the key’s owner (`default` for admins) and an existing one keeps its owner.',
    params: SecretNameParamsSchema,
    body: PutSecretRequestSchema,
    responses: {
      200: { description: 'The value was replaced.', schema: SecretMetadata },
      201: { description: 'The secret was created.', schema: SecretMetadata },
      503: disabled,
    },
  },
  {
    method: 'GET',
    path: '/api/secrets',
    tag: 'Access',
    access: 'viewer',
    summary: 'List secrets',
    description: 'Metadata only, limited to the key’s owner for editor and viewer keys.',
    responses: {
      200: { description: 'The secrets, by name.', schema: SecretListSchema },
      503: disabled,
    },
  },
  {
    method: 'GET',
    path: '/api/secrets/:name',
    tag: 'Access',
    access: 'viewer',
    summary: 'Get a secret’s metadata',
    params: SecretNameParamsSchema,
    responses: {
      200: { description: 'Everything but the value.', schema: SecretMetadata },
      404: secretNotFound,
      503: disabled,
    },
  },
  {
    method: 'DELETE',
    path: '/api/secrets/:name',
    tag: 'Access',
    access: 'editor',
    summary: 'Delete a secret',
    params: SecretNameParamsSchema,
    responses: { 204: { description: 'Deleted.' }, 404: secretNotFound, 503: disabled },
  },
  {
    method: 'POST',
    path: '/api/secrets/rotate',
    tag: 'Access',
    access: 'admin',
    summary: 'Re-encrypt every secret under the current key',
    description:
      'After putting a new key first in FLINT_SECRETS_KEYS (keeping the old one after it) and restarting, this moves every secret to the new key; then the old key can be removed.',
    responses: {
      200: { description: 'How many secrets were re-encrypted.', schema: SecretRotationSchema },
      409: errorResponse(
        'A secret is under a key no longer in FLINT_SECRETS_KEYS: `secret_undecryptable`.',
      ),
      503: disabled,
    },
  },
];
