import type { ApiKeyInfo, CreateApiKeyRequest, CreatedApiKey } from '@flint/contracts';
import type { ApiKeyRecord, ApiKeyRepository } from './api-key-repository';
import { generateApiKey } from '../auth/api-key';

/** Creating, listing and revoking API keys; a key leaves the server once, in `create`'s answer. */
export class ApiKeys {
  constructor(private readonly repository: ApiKeyRepository) {}

  async create(request: CreateApiKeyRequest): Promise<CreatedApiKey> {
    const generated = generateApiKey();
    const record = await this.repository.insert({
      id: generated.id,
      name: request.name,
      role: request.role,
      owner: request.owner,
      keyHash: generated.hash,
    });
    return { ...apiKeyInfo(record), key: generated.key };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await this.repository.list()).map(apiKeyInfo);
  }

  /** The revoked key, undefined when there is no key with that id. */
  async revoke(id: string): Promise<ApiKeyInfo | undefined> {
    const record = await this.repository.revoke(id);
    return record && apiKeyInfo(record);
  }
}

function apiKeyInfo(record: ApiKeyRecord): ApiKeyInfo {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    ...(record.owner === undefined ? {} : { owner: record.owner }),
    createdAt: record.createdAt.toISOString(),
    ...(record.lastUsedAt ? { lastUsedAt: record.lastUsedAt.toISOString() } : {}),
    ...(record.revokedAt ? { revokedAt: record.revokedAt.toISOString() } : {}),
  };
}
