import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../auth/route-access';
import type { ApiRoute } from './api-route';
import * as areas from './areas';
import { renderDocsPage } from './docs-page';
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

  @Get('openapi.json')
  openApi(): OpenApiDocument {
    this.document ??= buildOpenApiDocument(apiRoutes(), { version: API_VERSION });
    return this.document;
  }

  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  docs(): string {
    this.page ??= renderDocsPage(this.openApi());
    return this.page;
  }
}
