import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Item {
  id: number;
  updated: number;
}

export interface SeenRequest {
  at: number;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  status: number;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

type Route = (url: URL, req: IncomingMessage) => Answer;

/**
 * A local JSON API for the poller tests: a growing list of items served in pages (`page` token),
 * filtered by a `since` cursor, with ETags, and routes that answer 429 or stall on demand.
 */
export class TestApi {
  readonly items: Item[] = [];
  readonly requests: SeenRequest[] = [];
  pageSize = 10;
  /** Answers to give before the normal one, e.g. a 429 with Retry-After. */
  readonly scripted: Answer[] = [];
  /** Requests in flight now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  delayMs = 0;
  private server: Server | undefined;
  private readonly routes: Partial<Record<string, Route>> = {
    '/paged': (url) => this.paged(url),
    '/since': (url, req) => this.since(url, req),
  };

  add(count: number): void {
    const start = this.items.length;
    for (let i = 1; i <= count; i++) this.items.push({ id: start + i, updated: (start + i) * 10 });
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  requestsTo(path: string): SeenRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    const route = this.routes[url.pathname];
    const scripted = route ? this.scripted.shift() : undefined;
    const answer =
      scripted ?? (route ? this.authorized(req, () => route(url, req)) : { status: 404 });
    this.requests.push({
      at: Date.now(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      status: answer.status,
    });
    this.inFlight -= 1;
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
  }

  private authorized(req: IncomingMessage, route: () => Answer): Answer {
    if (req.headers.authorization !== 'Bearer poll-secret') {
      return { status: 401, body: { error: 'missing or wrong token' } };
    }
    return route();
  }

  private paged(url: URL): Answer {
    const offset = Number(url.searchParams.get('page') ?? 0);
    const page = this.items.slice(offset, offset + this.pageSize);
    const nextOffset = offset + page.length;
    return {
      status: 200,
      body: { data: page, next: nextOffset < this.items.length ? String(nextOffset) : null },
    };
  }

  private since(url: URL, req: IncomingMessage): Answer {
    const since = Number(url.searchParams.get('since') ?? 0);
    const page = this.items.filter((item) => item.updated > since).slice(0, this.pageSize);
    const etag = `"${createHash('sha256').update(JSON.stringify(page)).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
    return { status: 200, headers: { etag }, body: { data: page } };
  }
}
