import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Worth compressing: text. Images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

/**
 * The console talks only to this origin; it loads nothing from elsewhere (clusters are often
 * air-gapped) and runs no inline or eval'd script, so injected markup can neither run code nor send
 * the session's key anywhere. Inline styles are allowed: the code editor (CodeMirror) positions and
 * themes itself with style attributes and style elements, and a style cannot run code or reach
 * another origin under `connect-src`, `img-src` and `font-src 'self'`.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Paths that belong to the API or the service itself, never to the console's client-side routes. */
const SERVICE_PATH = /^\/(api|health|metrics)(\/|$)/;

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  compressible: boolean;
  encoded: Map<'br' | 'gzip', Buffer>;
}

/**
 * The built console (`npm run build` writes it to `dist/console`), held in memory: a few hundred
 * kilobytes, read once at start, so serving it touches no disk and no path from a request ever
 * reaches the file system. Compressed on first request per encoding and kept.
 */
export class ConsoleAssets {
  private readonly assets = new Map<string, Asset>();

  constructor(readonly dir: string) {
    if (!existsSync(join(dir, 'index.html'))) return;
    for (const file of walk(dir)) {
      const path = `/${relative(dir, file).split(sep).join('/')}`;
      const body = readFileSync(file);
      const ext = extname(file);
      this.assets.set(path, {
        body,
        type: CONTENT_TYPES[ext] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        compressible: COMPRESSIBLE.has(ext),
        encoded: new Map(),
      });
    }
  }

  get built(): boolean {
    return this.assets.has('/index.html');
  }

  /**
   * `GET /` and every client-side route answer the console's `index.html`; `/assets/*` the hashed
   * bundles, cached for good. Unknown `/api`, `/health` and `/metrics` paths still get a JSON 404.
   */
  register(fastify: FastifyInstance): void {
    fastify.get('/', (request, reply) => this.page(request, reply));
    fastify.get('/*', (request, reply) => {
      const path = request.url.split('?', 1)[0] ?? '/';
      if (SERVICE_PATH.test(path)) {
        return reply.code(404).send({
          error: { code: 'not_found', message: `no route GET ${path}` },
        });
      }
      const asset = this.assets.get(decodePath(path));
      if (asset && path !== '/index.html') {
        const immutable = path.startsWith('/assets/');
        return this.send(
          request,
          reply,
          asset,
          immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      }
      // A missing bundle is a 404, not the page: a stale tab asking for an old hash must see it fail.
      if (path.startsWith('/assets/')) return reply.code(404).type('text/plain').send('not found');
      return this.page(request, reply);
    });
  }

  private page(request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const index = this.assets.get('/index.html');
    if (!index) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`The console is not built: run "npm run build" (looked in ${this.dir}).`);
    }
    void reply
      .header('content-security-policy', CONSOLE_CSP)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer');
    return this.send(request, reply, index, 'no-cache');
  }

  private send(
    request: FastifyRequest,
    reply: FastifyReply,
    asset: Asset,
    cacheControl: string,
  ): FastifyReply {
    void reply
      .header('content-type', asset.type)
      .header('cache-control', cacheControl)
      .header('etag', asset.etag)
      .header('x-content-type-options', 'nosniff')
      .header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    const encoding = asset.compressible ? preferredEncoding(request) : undefined;
    if (!encoding) return reply.send(asset.body);
    let body = asset.encoded.get(encoding);
    if (!body) {
      body =
        encoding === 'br'
          ? brotliCompressSync(asset.body, {
              params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 },
            })
          : gzipSync(asset.body, { level: 9 });
      asset.encoded.set(encoding, body);
    }
    return reply.header('content-encoding', encoding).send(body);
  }
}

function preferredEncoding(request: FastifyRequest): 'br' | 'gzip' | undefined {
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return undefined;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
