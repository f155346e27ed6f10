import { createServer, type Server } from 'node:http';
import type { Definition, RunDetail } from '@flint/contracts';
import { waitFor } from '../support/kafka';
import { type RemoteEngineStack, startRemoteEngineStack } from '../support/remote-engine-stack';

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
  let remote: RemoteEngineStack;

  beforeAll(async () => {
    remote = await startRemoteEngineStack(
      ADMIN_KEY,
      engine(received),
      (base) =>
        [
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
        ] as unknown as Definition[],
    );
  });

  afterAll(() => remote?.stop());

  /** The run of `order`, once it waits for its callback. */
  async function startedRun(order: string): Promise<string> {
    const store = remote.stack.services.get('runner')!.runtime.store;
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
        const run = (await remote.api.request(
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
    await remote.post('orders-paid', { order: 'o-1' });
    const runId = await startedRun('o-1');
    await remote.post('orders-cancelled', { order: 'o-1' });

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
    await remote.post('orders-paid', { order: 'o-2' });
    const runId = await startedRun('o-2');
    await remote.api.request('POST', `/api/runs/${encodeURIComponent(runId)}/cancel`);

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
