import type { OpenApiDocument, OpenApiOperation } from './openapi-document';

/**
 * The OpenAPI document as one self-contained HTML page: operations grouped by tag, each with its
 * parameters and schemas, and the shared schemas at the end. No scripts and nothing fetched from a
 * CDN, so it works offline and behind strict firewalls.
 */
export function renderDocsPage(document: OpenApiDocument): string {
  const sections = document.tags.map(({ name }) => {
    const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
      Object.entries(byMethod)
        .filter(([, operation]) => operation.tags.includes(name))
        .map(([method, operation]) => renderOperation(method, path, operation)),
    );
    return `<section><h2 id="${anchor(`tag-${name}`)}">${escape(name)}</h2>${operations.join('\n')}</section>`;
  });
  const components = Object.entries(document.components.schemas).map(
    ([name, schema]) =>
      `<details id="${anchor(`schema-${name}`)}"><summary><code>${escape(name)}</code></summary>${json(schema)}</details>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(document.info.title)} ${escape(document.info.version)}</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
code, pre { font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
pre { background: #f5f5f7; padding: .75rem; overflow-x: auto; border-radius: 4px; }
details { border: 1px solid #d2d2d7; border-radius: 4px; margin: .5rem 0; padding: .25rem .75rem; }
summary { cursor: pointer; }
.method { display: inline-block; min-width: 4.5rem; font-weight: 600; }
.access { float: right; color: #6e6e73; }
table { border-collapse: collapse; margin: .5rem 0; }
td, th { border: 1px solid #d2d2d7; padding: .25rem .5rem; text-align: left; vertical-align: top; }
</style>
</head>
<body>
<h1>${escape(document.info.title)} <small>${escape(document.info.version)}</small></h1>
<p>${escape(document.info.description)}</p>
<p>Machine-readable: <a href="/api/docs/openapi.json">/api/docs/openapi.json</a> (OpenAPI ${escape(document.openapi)}).</p>
${sections.join('\n')}
<section><h2 id="schemas">Schemas</h2>${components.join('\n')}</section>
</body>
</html>
`;
}

function renderOperation(method: string, path: string, operation: OpenApiOperation): string {
  const parameters = operation.parameters?.length
    ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>${operation.parameters
        .map(
          (p) =>
            `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td>${json(p.schema)}</td><td>${escape(p.description ?? '')}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const body = operation.requestBody
    ? `<h4>Request body</h4>${json(operation.requestBody.content['application/json'].schema)}`
    : '';
  const responses = Object.entries(operation.responses)
    .map(([status, response]) => {
      const schema = response.content?.['application/json'].schema;
      const headers = Object.keys(response.headers ?? {});
      return `<li><strong>${escape(status)}</strong> ${escape(response.description)}${
        headers.length
          ? ` Headers: ${headers.map((h) => `<code>${escape(h)}</code>`).join(', ')}.`
          : ''
      }${schema ? json(schema) : ''}</li>`;
    })
    .join('');
  return `<details id="${anchor(operation.operationId)}">
<summary><span class="method">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code> — ${escape(operation.summary)}<span class="access">${escape(operation['x-flint-access'])}</span></summary>
<p>${escape(operation.description ?? '')}</p>${parameters}${body}<h4>Responses</h4><ul>${responses}</ul>
</details>`;
}

/** Pretty JSON with `$ref`s turned into links to the schema they name. */
function json(value: unknown): string {
  return `<pre>${escape(JSON.stringify(value, null, 2)).replace(
    /&quot;#\/components\/schemas\/([^&]+)&quot;/g,
    (_match, name: string) =>
      `&quot;<a href="#${anchor(`schema-${name}`)}">#/components/schemas/${name}</a>&quot;`,
  )}</pre>`;
}

function anchor(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-');
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
