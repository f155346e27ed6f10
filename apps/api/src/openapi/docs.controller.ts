import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/route-access';
import type { ApiRoute } from './api-route';
import * as areas from './areas';
import { type DocsAsset, docsAsset, renderDocsPage } from './docs-page';
import { type OpenApiDocument, buildOpenApiDocument } from './openapi-document';

/** Every area's routes, in the order the route table lists the areas. */
export function apiRoutes(): ApiRoute[] {
  return Object.values(areas).flat();
}

const API_VERSION = '1.0.0';

/** The API's own documentation: public, so people and tools can read it before they have a key. */
@Controller('api/docs')
@Public()
export class DocsController {
  private document: OpenApiDocument | undefined;
  private page: string | undefined;
  private readonly assets = new Map<string, DocsAsset>();

  @Get('openapi.json')
  openApi(): OpenApiDocument {
    this.document ??= buildOpenApiDocument(apiRoutes(), { version: API_VERSION });
    return this.document;
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  docs(): string {
    const { title, version } = this.openApi().info;
    this.page ??= renderDocsPage(`${title} ${version}`);
    return this.page;
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    const asset = this.assets.get(file) ?? docsAsset(file);
    if (!asset) throw new NotFoundException(`no such asset of the API reference: ${file}`);
    this.assets.set(file, asset);
    void reply
      .header('content-type', asset.contentType)
      .header('cache-control', 'public, max-age=86400')
      .send(asset.body);
  }
}
