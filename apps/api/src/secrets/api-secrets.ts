import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import {
  DEFAULT_OWNER,
  type PutSecretRequest,
  type SecretMetadata,
  type SecretRotation,
} from '@flint/contracts';
import { SECRETS_KEYS_VARIABLE, type PutSecretResult, type SecretRepository } from '@flint/store';
import { assertCanChange, assertCanSee, ownerScope, type Principal } from '../auth/principal';

/**
 * The secrets routes' rules: values go in, only metadata comes out; editors and viewers see their own
 * owner's secrets; without a key ring the store is off and every route says how to turn it on.
 */
export class ApiSecrets {
  constructor(private readonly repository: SecretRepository | undefined) {}

  async put(
    principal: Principal,
    name: string,
    request: PutSecretRequest,
  ): Promise<PutSecretResult> {
    const repository = this.enabled();
    const existing = await repository.get(name);
    if (existing) assertCanChange(principal, existing.owner, describe(name));
    const owner = request.owner ?? existing?.owner ?? ownerScope(principal) ?? DEFAULT_OWNER;
    assertCanChange(principal, owner, describe(name));
    return repository.put({
      name,
      value: request.value,
      owner,
      requireOwner: ownerScope(principal),
    });
  }

  async list(principal: Principal): Promise<SecretMetadata[]> {
    return this.enabled().list(ownerScope(principal));
  }

  async get(principal: Principal, name: string): Promise<SecretMetadata> {
    const secret = await this.enabled().get(name);
    if (!secret) throw notFound(name);
    assertCanSee(principal, secret.owner, describe(name));
    return secret;
  }

  async delete(principal: Principal, name: string): Promise<void> {
    const secret = await this.get(principal, name);
    assertCanChange(principal, secret.owner, describe(name));
    if (!(await this.enabled().delete(name, ownerScope(principal)))) throw notFound(name);
  }

  rotate(): Promise<SecretRotation> {
    return this.enabled().rotate();
  }

  private enabled(): SecretRepository {
    if (this.repository) return this.repository;
    throw new ServiceUnavailableException({
      error: {
        code: 'secrets_disabled',
        message:
          `secrets are not enabled on this server: set ${SECRETS_KEYS_VARIABLE} to ` +
          '"<keyId>:<base64 of 32 random bytes>", e.g. "k1:$(openssl rand -base64 32)"',
      },
    });
  }
}

function describe(name: string): string {
  return `secret "${name}"`;
}

function notFound(name: string): NotFoundException {
  return new NotFoundException({
    error: { code: 'not_found', message: `${describe(name)} not found` },
  });
}
