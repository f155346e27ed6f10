import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Get,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import type { ApplyResponse, StoredDefinition } from '@flint/contracts';
import { DefinitionRepository, VersionConflictError } from '@flint/store';
import { AdminKeyGuard } from '../auth/admin-key.guard';
import { DefinitionApplier, InvalidDefinitionsError } from './definition-applier';

@Controller('api/definitions')
@UseGuards(AdminKeyGuard)
export class DefinitionsController {
  constructor(
    private readonly applier: DefinitionApplier,
    private readonly repository: DefinitionRepository,
  ) {}

  @Put()
  async apply(@Body() body: unknown): Promise<ApplyResponse> {
    try {
      return { results: await this.applier.apply(body) };
    } catch (err) {
      if (err instanceof InvalidDefinitionsError) {
        throw new BadRequestException({
          error: { code: 'invalid_definitions', message: err.message, issues: err.issues },
        });
      }
      if (err instanceof VersionConflictError) {
        throw new ConflictException({ error: { code: 'version_conflict', message: err.message } });
      }
      throw err;
    }
  }

  @Get()
  async list(@Query('kind') kind?: string): Promise<{ items: StoredDefinition[] }> {
    if (kind !== 'source' && kind !== 'trigger') {
      throw new BadRequestException({
        error: { code: 'invalid_query', message: 'kind must be "source" or "trigger"' },
      });
    }
    return { items: await this.repository.list({ kind }) };
  }
}
