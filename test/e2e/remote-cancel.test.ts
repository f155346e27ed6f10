import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@nestjs/common';
import type { Definition, RunDetail } from '@flint/contracts';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { isolatedStackEnv } from '../support/isolated-stack';
import { freePorts, waitFor } from '../support/kafka';
import { type ScratchDatabase, createScratchDatabase } from '../support/postgres';

const quiet = { log: () => undefined } as unknown as Logger;
const ADMIN_KEY = 'remote-cancel-admin-key';

interface Received {
  path: string;
  body: unknown;
}

/** A workflow engine that accepts every start (and never reports) and every cancellation. */
function engine(received: Received[]): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', body: text ? (JSON.parse(text) as unknown) : null });
      res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
  });
}

/**
 * Cancelling a run of a remote workflow through the whole pipeline: a webhook event starts an HTTP
 * workflow with `completion: callback` and a `cancel` request; a second webhook's event, through the
 * trigger's `cancelOn`, or `POST /api/runs/{id}/cancel`, cancels the run, and the engine receives
 * one cancellation for it naming the run (and the cancelling event).
 */
describe('end to end: a cancelled remote run asks its engine to stop', () => {
  const received: Received[] = [];
  let server: Server;
  let database: ScratchDatabase;
  let stack: LocalStack;
  let api: FlintApiClient;

  beforeAll(async () => {
    server = engine(received);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    database = await createScratchDatabase();
    const [apiPort] = await freePorts(1);
    stack = await startLocalStack(
      isolatedStackEnv(database.url, {
        FLINT_ADMIN_API_KEY: ADMIN_KEY,
        FLINT_API_PORT: String(apiPort),
        FLINT_CALLBACK_BASE_URL: `http://127.0.0.1:${apiPort}`,
      }),
      quiet,
    );
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const definitions = [
      {
        kind: 'source',
        id: 'orders-paid',
        provider: 'webhook',
        config: { path: 'orders-paid', auth: { type: 'none' } },
      },
      {
        kind: 'source',
        id: 'orders-cancelled',
        provider: 'webhook',
        config: { path: 'orders-cancelled', auth: { type: 'none' } },
      },
      {
        kind: 'trigger',
        id: 'fulfil-remote',
        sources: ['orders-paid'],
        target: {
          type: 'http',
          url: `${base}/jobs`,
          completion: 'callback',
          cancel: { url: `${base}/jobs/{{runId}}/cancel` },
        },
        input: { order: 'event.data.order' },
        retry: { maxAttempts: 1 },
        cancelOn: { sources: ['orders-cancelled'], match: 'event.data.order' },
      },
    ] as unknown as Definition[];
    api = new FlintApiClient(stack.services.get('api')!.url, ADMIN_KEY);
    await api.applyDefinitions(definitions);
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function post(path: string, body: unknown): Promise<void> {
    const webhook = stack.services.get('webhook')!.url;
    await waitFor(
      async () =>
        (
          await fetch(`${webhook}/hooks/${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).status === 202,
      { timeoutMs: 90_000, description: `the webhook ${path} to accept the event` },
    );
  }

  /** The run of `order`, once it waits for its callback. */
  async function startedRun(order: string): Promise<string> {
    const store = stack.services.get('runner')!.runtime.store;
    return waitFor(
      async () => {
        const [row] = await store.query<{ run_id: string }>(
          `SELECT run_id FROM runs WHERE trigger_id = 'fulfil-remote'
              AND input->>'order' = $1 AND callback_deadline IS NOT NULL`,
          [order],
        );
        return row?.run_id;
      },
      { timeoutMs: 90_000, description: `the run of order ${order} to be STARTED` },
    );
  }

  async function cancelledRun(runId: string): Promise<RunDetail> {
    return waitFor(
      async () => {
        const run = (await api.request(
          'GET',
          `/api/runs/${encodeURIComponent(runId)}`,
        )) as RunDetail;
        return run.status === 'CANCELLED' && run.cancellationRequest?.status === 'sent'
          ? run
          : undefined;
      },
      { timeoutMs: 60_000, description: `run ${runId} cancelled and its engine asked to stop` },
    );
  }

  const cancelsOf = (runId: string) =>
    received.filter((request) => request.path === `/jobs/${encodeURIComponent(runId)}/cancel`);

  it('sends the cancellation when a cancelOn event cancels the run', async () => {
    await post('orders-paid', { order: 'o-1' });
    const runId = await startedRun('o-1');
    await post('orders-cancelled', { order: 'o-1' });

    const run = await cancelledRun(runId);
    expect(run.cancelledByEvent).toEqual(expect.any(String));
    expect(run.cancellationRequest).toMatchObject({
      status: 'sent',
      tries: 1,
      responseStatus: 202,
    });
    expect(cancelsOf(runId)).toEqual([
      {
        path: expect.any(String),
        body: expect.objectContaining({
          runId,
          triggerId: 'fulfil-remote',
          cancelledByEvent: run.cancelledByEvent,
        }),
      },
    ]);
  });

  it('sends the cancellation when the run is cancelled through the API', async () => {
    await post('orders-paid', { order: 'o-2' });
    const runId = await startedRun('o-2');
    await api.request('POST', `/api/runs/${encodeURIComponent(runId)}/cancel`);

    const run = await cancelledRun(runId);
    expect(run.cancelledByEvent).toBeUndefined();
    expect(cancelsOf(runId)).toEqual([
      {
        path: expect.any(String),
        body: expect.objectContaining({ runId, reason: 'the run was cancelled on request' }),
      },
    ]);
  });
});
