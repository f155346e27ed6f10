import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the page and its script find the assets and the document. */
const ASSETS_PATH = '/api/docs/assets';
const DOCUMENT_PATH = '/api/docs/openapi.json';

/**
 * The interactive API reference: Swagger UI from the `swagger-ui-dist` package, served by the api
 * itself (nothing from a CDN, so it works offline and behind strict firewalls), reading the OpenAPI
 * document. Every operation shows its parameters, an example body and answer built from the
 * schemas, and "Try it out" with the key given under "Authorize".
 */
export function renderDocsPage(title: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${ASSETS_PATH}/swagger-ui.css">
<link rel="icon" type="image/png" href="${ASSETS_PATH}/favicon-32x32.png">
</head>
<body>
<div id="reference"></div>
<script src="${ASSETS_PATH}/swagger-ui-bundle.js"></script>
<script src="${ASSETS_PATH}/reference.js"></script>
</body>
</html>
`;
}

/** Starts Swagger UI; a file of its own rather than inline, so a strict CSP can allow it. */
const REFERENCE_SCRIPT = `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(DOCUMENT_PATH)},
  dom_id: '#reference',
  deepLinking: true,
  docExpansion: 'list',
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
  persistAuthorization: true,
  filter: true,
  tryItOutEnabled: false,
});
`;

export interface DocsAsset {
  contentType: string;
  body: Buffer;
}

/** The files the page loads, by name; nothing else of the package is served. */
const SERVED_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

export const DOCS_ASSET_NAMES = [...Object.keys(SERVED_FILES), 'reference.js'] as const;

/** One asset of the page, read once; undefined for any other name. */
export function docsAsset(name: string): DocsAsset | undefined {
  if (name === 'reference.js') {
    return { contentType: 'text/javascript; charset=utf-8', body: Buffer.from(REFERENCE_SCRIPT) };
  }
  const contentType = Object.hasOwn(SERVED_FILES, name) ? SERVED_FILES[name] : undefined;
  if (contentType === undefined) return undefined;
  const folder = dirname(require.resolve('swagger-ui-dist/package.json'));
  return { contentType, body: readFileSync(join(folder, name)) };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
