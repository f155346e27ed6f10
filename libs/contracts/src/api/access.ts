import { z } from 'zod';
import { OwnerSchema, SecretNameSchema } from '../primitives';

/** Ordered from least to most powerful: a role may do everything the roles before it may. */
export const API_ROLES = ['viewer', 'editor', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const ApiRoleSchema = z.enum(API_ROLES, {
  error: 'must be "viewer", "editor" or "admin"',
});

/** `POST /api/keys`. Admin keys see every owner; editor and viewer keys belong to exactly one. */
export const CreateApiKeyRequestSchema = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1, 'must name the key, e.g. after the team or the script that uses it')
      .max(200, 'must be at most 200 characters'),
    role: ApiRoleSchema,
    owner: OwnerSchema.optional(),
  })
  .superRefine((request, ctx) => {
    if (request.role === 'admin' && request.owner !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['owner'],
        message: 'an admin key sees every owner; leave out "owner"',
      });
    }
    if (request.role !== 'admin' && request.owner === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['owner'],
        message: `an ${request.role} key needs the owner (team) it is limited to`,
      });
    }
  });
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequestSchema>;

/** An API key as listed: never the key itself nor its hash. */
export const ApiKeyInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: ApiRoleSchema,
  owner: OwnerSchema.optional(),
  createdAt: z.string(),
  lastUsedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type ApiKeyInfo = z.infer<typeof ApiKeyInfoSchema>;

/** The answer to `POST /api/keys`: the only time the key is ever shown. */
export const CreatedApiKeySchema = ApiKeyInfoSchema.extend({ key: z.string() });
export type CreatedApiKey = z.infer<typeof CreatedApiKeySchema>;

export const ApiKeyListSchema = z.object({ items: z.array(ApiKeyInfoSchema) });
export type ApiKeyList = z.infer<typeof ApiKeyListSchema>;

/** Largest secret value accepted: certificates and private keys fit, a file dump does not. */
export const MAX_SECRET_VALUE_BYTES = 64 * 1024;

/** The `:name` of the secrets routes. */
export const SecretNameParamsSchema = z.object({ name: SecretNameSchema });

/** `PUT /api/secrets/:name`. */
export const PutSecretRequestSchema = z.strictObject({
  value: z
    .string({ error: 'must be the secret value as a string' })
    .min(1, 'must not be empty')
    .refine(
      (value) => Buffer.byteLength(value, 'utf8') <= MAX_SECRET_VALUE_BYTES,
      `must be at most ${MAX_SECRET_VALUE_BYTES} bytes`,
    ),
  owner: OwnerSchema.optional(),
});
export type PutSecretRequest = z.infer<typeof PutSecretRequestSchema>;

/** What the API tells about a secret: everything but its value. */
export const SecretMetadataSchema = z.object({
  name: z.string(),
  owner: OwnerSchema,
  /** The id of the encryption key (from FLINT_SECRETS_KEYS) the value is encrypted under. */
  keyId: z.string(),
  /** Counts the values set under this name: 1 when created, +1 per change. */
  version: z.number().int().positive(),
  createdAt: z.string(),
  /** When the value was last set. */
  updatedAt: z.string(),
});
export type SecretMetadata = z.infer<typeof SecretMetadataSchema>;

export const SecretListSchema = z.object({ items: z.array(SecretMetadataSchema) });
export type SecretList = z.infer<typeof SecretListSchema>;

/** `POST /api/secrets/rotate`: every secret re-encrypted under the first key of FLINT_SECRETS_KEYS. */
export const SecretRotationSchema = z.object({
  keyId: z.string(),
  /** Secrets re-encrypted by this call. */
  reencrypted: z.number().int().nonnegative(),
  /** Secrets already under the current key. */
  unchanged: z.number().int().nonnegative(),
});
export type SecretRotation = z.infer<typeof SecretRotationSchema>;
