import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  method: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Decides the reply to the `nth` (1-based) request on a path; `hold` keeps the request unanswered. */
export type Responder = (nth: number, request: ReceivedRequest) => Reply | 'hold';

/**
 * A workflow engine stand-in on 127.0.0.1: every request is recorded, and each path answers as the
 * test scripted it. Held requests stay open until the server closes (or the client gives up).
 */
export class TargetServer {
  readonly received: ReceivedRequest[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly held = new Set<ServerResponse>();
  private server: Server | undefined;
  private baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => this.answer(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** Scripts a path and returns its URL. */
  route(path: string, responder: Responder): string {
    this.responders.set(path, responder);
    return `${this.baseUrl}${path}`;
  }

  requestsTo(path: string): ReceivedRequest[] {
    return this.received.filter((request) => request.path === path);
  }

  private answer(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const request: ReceivedRequest = {
      path,
      method: req.method ?? 'GET',
      headers: req.headers,
      body,
      at: Date.now(),
    };
    this.received.push(request);
    const responder = this.responders.get(path);
    const reply = responder ? responder(this.requestsTo(path).length, request) : { status: 404 };
    if (reply === 'hold') {
      this.held.add(res);
      res.on('close', () => this.held.delete(res));
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body ?? '');
  }
}
