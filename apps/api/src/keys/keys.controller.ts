import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import {
  type ApiKeyInfo,
  type ApiKeyList,
  CreateApiKeyRequestSchema,
  type CreatedApiKey,
} from '@flint/contracts';
import { API_KEY_ID } from '../auth/api-key';
import { parseRequest } from '../auth/request-validation';
import { RequireRole } from '../auth/route-access';
import { ApiKeys } from './api-keys';

@Controller('api/keys')
@RequireRole('admin')
export class KeysController {
  constructor(private readonly keys: ApiKeys) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown): Promise<CreatedApiKey> {
    return this.keys.create(parseRequest(CreateApiKeyRequestSchema, body, 'API key'));
  }

  @Get()
  async list(): Promise<ApiKeyList> {
    return { items: await this.keys.list() };
  }

  @Delete(':id')
  async revoke(@Param('id') id: string): Promise<ApiKeyInfo> {
    if (id === 'bootstrap') {
      throw new BadRequestException({
        error: {
          code: 'bootstrap_key',
          message:
            'the bootstrap key is FLINT_ADMIN_API_KEY; change or unset that variable to retire it',
        },
      });
    }
    if (!API_KEY_ID.test(id)) {
      throw new BadRequestException({
        error: { code: 'invalid_path', message: 'an API key id is 16 hexadecimal digits' },
      });
    }
    const revoked = await this.keys.revoke(id);
    if (!revoked) {
      throw new NotFoundException({
        error: { code: 'not_found', message: `API key "${id}" not found` },
      });
    }
    return revoked;
  }
}
