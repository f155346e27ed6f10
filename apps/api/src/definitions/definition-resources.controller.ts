import {
  Body,
  Controller,
  type PipeTransform,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
  UseFilters,
} from '@nestjs/common';
import {
  type DefinitionHistoryPage,
  type DefinitionKind,
  type DefinitionPage,
  DefinitionIdParamsSchema,
  DefinitionVersionParamsSchema,
  type DefinitionVersion,
  type StoredDefinition,
  type StoredSource,
  formatZodIssues,
} from '@flint/contracts';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { RequireRole } from '../auth/route-access';
import { DefinitionErrorsFilter } from './definition-errors.filter';
import { DefinitionService } from './definition-service';
import { InvalidInputError } from './definition-validator';
import { versionEtag } from './if-match';
import { SourceStatuses } from './source-statuses';

/** A definition id from the URL, checked before it reaches a query: 400, never a lookup. */
class DefinitionIdPipe implements PipeTransform<string, string> {
  transform(id: string): string {
    const parsed = DefinitionIdParamsSchema.safeParse({ id });
    if (!parsed.success) throw invalidPath(parsed.error);
    return parsed.data.id;
  }
}

function invalidPath(error: z.ZodError): InvalidInputError {
  const issues = formatZodIssues(error);
  return new InvalidInputError('invalid_path', `${issues.length} problem(s) in the URL`, issues);
}

/**
 * The routes `/api/sources` and `/api/triggers` share; each subclass binds them to its kind. Every
 * response that carries one definition also carries its version as the ETag, for `If-Match`.
 */
abstract class DefinitionResourceController {
  protected constructor(
    private readonly kind: DefinitionKind,
    private readonly service: DefinitionService,
  ) {}

  /** What the reads show of stored definitions; sources add their status. */
  protected present(definitions: StoredDefinition[]): Promise<StoredDefinition[]> {
    return Promise.resolve(definitions);
  }

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: Record<string, unknown>,
  ): Promise<DefinitionPage> {
    const page = await this.service.list(this.kind, principal, query);
    return { ...page, items: await this.present(page.items) };
  }

  @Post()
  @RequireRole('editor')
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredDefinition> {
    const definition = await this.service.create(this.kind, principal, body);
    void reply.header('etag', versionEtag(definition.version));
    return definition;
  }

  @Get(':id')
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', DefinitionIdPipe) id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredDefinition> {
    const definition = await this.service.get(this.kind, id, principal);
    void reply.header('etag', versionEtag(definition.version));
    const [shown] = await this.present([definition]);
    return shown!;
  }

  @Put(':id')
  @RequireRole('editor')
  async replace(
    @CurrentPrincipal() principal: Principal,
    @Param('id', DefinitionIdPipe) id: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredDefinition> {
    const { definition } = await this.service.replace(this.kind, id, principal, body, ifMatch);
    void reply.header('etag', versionEtag(definition.version));
    return definition;
  }

  @Delete(':id')
  @RequireRole('editor')
  @HttpCode(204)
  async delete(
    @CurrentPrincipal() principal: Principal,
    @Param('id', DefinitionIdPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.service.delete(this.kind, id, principal, ifMatch);
  }

  @Post(':id/enable')
  @RequireRole('editor')
  @HttpCode(200)
  enable(
    @CurrentPrincipal() principal: Principal,
    @Param('id', DefinitionIdPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredDefinition> {
    return this.setEnabled(true, principal, id, ifMatch, reply);
  }

  @Post(':id/disable')
  @RequireRole('editor')
  @HttpCode(200)
  disable(
    @CurrentPrincipal() principal: Principal,
    @Param('id', DefinitionIdPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredDefinition> {
    return this.setEnabled(false, principal, id, ifMatch, reply);
  }

  @Get(':id/versions')
  history(
    @CurrentPrincipal() principal: Principal,
    @Param('id', DefinitionIdPipe) id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<DefinitionHistoryPage> {
    return this.service.historyPage(this.kind, id, principal, query);
  }

  @Get(':id/versions/:version')
  historyVersion(
    @CurrentPrincipal() principal: Principal,
    @Param() params: Record<string, string>,
  ): Promise<DefinitionVersion> {
    const parsed = DefinitionVersionParamsSchema.safeParse(params);
    if (!parsed.success) throw invalidPath(parsed.error);
    return this.service.historyVersion(this.kind, parsed.data.id, parsed.data.version, principal);
  }

  private async setEnabled(
    enabled: boolean,
    principal: Principal,
    id: string,
    ifMatch: string | undefined,
    reply: FastifyReply,
  ): Promise<StoredDefinition> {
    const { definition } = await this.service.setEnabled(
      this.kind,
      id,
      enabled,
      principal,
      ifMatch,
    );
    void reply.header('etag', versionEtag(definition.version));
    return definition;
  }
}

@Controller('api/sources')
@UseFilters(DefinitionErrorsFilter)
export class SourcesController extends DefinitionResourceController {
  constructor(
    service: DefinitionService,
    private readonly statuses: SourceStatuses,
  ) {
    super('source', service);
  }

  protected override present(definitions: StoredDefinition[]): Promise<StoredDefinition[]> {
    return this.statuses.attach(definitions as StoredSource[]);
  }
}

@Controller('api/triggers')
@UseFilters(DefinitionErrorsFilter)
export class TriggersController extends DefinitionResourceController {
  constructor(service: DefinitionService) {
    super('trigger', service);
  }
}
