import { once } from 'node:events';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Json, PollResult } from '@flint/sdk';
import { loadUserDefinitions } from '@flint/user-code';
import { PollWorkerThread } from '../../../apps/providers/poller/src/function/poll-worker-thread';

const FUNCTIONS = join(__dirname, '..', '..', '..', 'examples', 'functions');

/**
 * The poll functions shipped in examples/functions, loaded as the poller loads FLINT_FUNCTIONS_DIR
 * and polled in their worker threads, state carried from poll to poll as the poller keeps it.
 */
class Polls {
  private state: Record<string, Json> = {};
  private readonly thread: PollWorkerThread;

  constructor(
    file: string,
    private readonly config: Record<string, unknown>,
  ) {
    this.thread = new PollWorkerThread({
      file: join(FUNCTIONS, file),
      exportName: 'default',
      memoryLimitMb: 64,
      secret: async (name) => `token-of-${name}`,
      log: () => undefined,
    });
  }

  async poll(): Promise<PollResult> {
    const answer = await this.thread.poll({
      sourceId: 'example',
      config: this.config,
      state: this.state,
      timeoutMs: 30_000,
    });
    this.state = answer.state;
    return answer.result;
  }

  close(): Promise<void> {
    return this.thread.close();
  }
}

async function serve(handler: Parameters<typeof createServer>[1]): Promise<[Server, string]> {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

describe('examples/functions', () => {
  it('loads as a FLINT_FUNCTIONS_DIR: file-inbox, health-check, queue-depth', () => {
    const loaded = loadUserDefinitions('poll function', 'FLINT_FUNCTIONS_DIR', FUNCTIONS);
    expect(loaded.map((d) => d.value.name)).toEqual(['file-inbox', 'health-check', 'queue-depth']);
  });

  it('file-inbox fires each new file once, and a rewritten file again', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'flint-inbox-'));
    const inbox = new Polls('file-inbox.ts', { folder, suffix: '.csv' });
    try {
      expect(await inbox.poll()).toEqual({ fire: false });
      await writeFile(join(folder, 'a.csv'), 'id\n1\n');
      await writeFile(join(folder, 'notes.txt'), 'not for the inbox');
      expect(await inbox.poll()).toEqual({
        fire: true,
        context: [{ file: 'a.csv', size: 5, modifiedAt: expect.any(String) }],
      });
      expect(await inbox.poll()).toEqual({ fire: false });
      await utimes(join(folder, 'a.csv'), new Date(), new Date(Date.now() + 60_000));
      await writeFile(join(folder, 'b.csv'), 'id\n');
      const next = await inbox.poll();
      expect(next.fire && (next.context as Array<{ file: string }>).map((c) => c.file)).toEqual([
        'a.csv',
        'b.csv',
      ]);
    } finally {
      await inbox.close();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('queue-depth fires one stable context while the queue is deeper than the threshold', async () => {
    let depth = 10;
    const seenAuth: string[] = [];
    const [server, url] = await serve((req, res) => {
      seenAuth.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ depth }));
    });
    const polls = new Polls('queue-depth.ts', {
      url,
      queue: 'orders',
      threshold: 100,
      tokenSecret: 'queue-token',
    });
    try {
      expect(await polls.poll()).toEqual({ fire: false });
      depth = 250;
      const deep = { fire: true, context: { queue: 'orders', threshold: 100 } };
      expect(await polls.poll()).toEqual(deep);
      depth = 300;
      expect(await polls.poll()).toEqual(deep);
      expect(seenAuth).toEqual(Array(3).fill('Bearer token-of-queue-token'));
    } finally {
      await polls.close();
      server.close();
    }
  });

  it('health-check fires once the service failed three checks in a row, one context per outage', async () => {
    let status = 200;
    const [server, url] = await serve((_req, res) => res.writeHead(status).end());
    const polls = new Polls('health-check.ts', { url: `${url}/health` });
    try {
      expect(await polls.poll()).toEqual({ fire: false });
      status = 503;
      expect(await polls.poll()).toEqual({ fire: false });
      expect(await polls.poll()).toEqual({ fire: false });
      const alert = await polls.poll();
      expect(alert).toEqual({
        fire: true,
        context: { url: `${url}/health`, down: true, since: expect.any(String) },
      });
      expect(await polls.poll()).toEqual(alert);
      status = 200;
      expect(await polls.poll()).toEqual({ fire: false });
    } finally {
      await polls.close();
      server.close();
    }
  });
});
