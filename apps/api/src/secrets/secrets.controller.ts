import {
  Body,
  ConflictException,
  Controller,
  Delete,
  ForbiddenException,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Res,
} from '@nestjs/common';
import {
  PutSecretRequestSchema,
  SecretNameParamsSchema,
  type SecretList,
  type SecretMetadata,
  type SecretRotation,
} from '@flint/contracts';
import { SecretDecryptionError, SecretOwnerConflictError } from '@flint/store';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { parseRequest } from '../auth/request-validation';
import { RequireRole } from '../auth/route-access';
import { ApiSecrets } from './api-secrets';

@Controller('api/secrets')
export class SecretsController {
  constructor(private readonly secrets: ApiSecrets) {}

  /** 201 when the secret is new, 200 when its value was replaced. */
  @Put(':name')
  async put(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SecretMetadata> {
    const validName = secretName(name);
    const request = parseRequest(PutSecretRequestSchema, body, 'secret');
    try {
      const { secret, created } = await this.secrets.put(principal, validName, request);
      reply.status(created ? 201 : 200);
      return secret;
    } catch (err) {
      if (!(err instanceof SecretOwnerConflictError)) throw err;
      throw new ForbiddenException({
        error: {
          code: 'forbidden',
          message: `secret "${err.secretName}" belongs to owner "${err.owner}"; this key may not change it`,
        },
      });
    }
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<SecretList> {
    return { items: await this.secrets.list(principal) };
  }

  @Get(':name')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
  ): Promise<SecretMetadata> {
    return this.secrets.get(principal, secretName(name));
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
  ): Promise<void> {
    await this.secrets.delete(principal, secretName(name));
  }

  /** Re-encrypts every secret under the first key of FLINT_SECRETS_KEYS. */
  @Post('rotate')
  @HttpCode(200)
  @RequireRole('admin')
  async rotate(): Promise<SecretRotation> {
    try {
      return await this.secrets.rotate();
    } catch (err) {
      if (!(err instanceof SecretDecryptionError)) throw err;
      throw new ConflictException({
        error: { code: 'secret_undecryptable', message: err.message },
      });
    }
  }
}

function secretName(name: string): string {
  return parseRequest(SecretNameParamsSchema, { name }, 'secret name').name;
}
