import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentEvent {
  id: string;
  event?: string;
  data: string;
}

/**
 * A small Server-Sent Events server with history, as a real feed behaves: a client that sends
 * `Last-Event-ID` gets the events after it, then every new one; one without gets only new events, or
 * with `replayWithoutLastEventId` the whole history. `dropConnections()` cuts every open
 * stream (a server restart, as far as a client can tell); `lastEventIds` records what each
 * connection asked to resume from.
 */
export class SseServer {
  readonly history: SentEvent[] = [];
  readonly lastEventIds: Array<string | undefined> = [];
  private readonly clients = new Set<ServerResponse>();
  private server: Server | undefined;
  port = 0;

  constructor(private readonly options: { replayWithoutLastEventId?: boolean } = {}) {}

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const lastEventId = request.headers['last-event-id'];
      const resumeFrom = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
      this.lastEventIds.push(resumeFrom);
      response.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      response.write(': welcome\n\n');
      const start =
        resumeFrom !== undefined
          ? this.indexAfter(resumeFrom)
          : this.options.replayWithoutLastEventId
            ? 0
            : this.history.length;
      for (const event of this.history.slice(start)) response.write(format(event));
      this.clients.add(response);
      request.on('close', () => this.clients.delete(response));
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/feed`;
  }

  get connections(): number {
    return this.clients.size;
  }

  /** Adds the event to the history and sends it to every open stream. */
  send(event: SentEvent): void {
    this.history.push(event);
    for (const client of this.clients) client.write(format(event));
  }

  dropConnections(): void {
    for (const client of this.clients) client.destroy();
    this.clients.clear();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  /** Where to resume after `id`: the whole history when the id is unknown. */
  private indexAfter(id: string): number {
    const index = this.history.findIndex((event) => event.id === id);
    return index === -1 ? 0 : index + 1;
  }
}

function format(event: SentEvent): string {
  const name = event.event ? `event: ${event.event}\n` : '';
  const data = event.data
    .split('\n')
    .map((line) => `data: ${line}\n`)
    .join('');
  return `id: ${event.id}\n${name}${data}\n`;
}
