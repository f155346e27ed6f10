import { createServer, type Server } from 'node:http';
import type { Definition } from '@flint/contracts';
import { waitFor } from '../support/kafka';
import { type RemoteEngineStack, startRemoteEngineStack } from '../support/remote-engine-stack';

const ADMIN_KEY = 'remote-outcome-admin-key';

/** A workflow engine that accepts a start and, once it answered, reports the job's failure. */
function failingEngine(reports: Promise<number>[]): Server {
  return createServer((req, res) => {
    const url = req.headers['x-flint-callback-url'] as string;
    const token = req.headers['x-flint-callback-token'] as string;
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"job":"queued"}');
    req.resume();
    reports.push(
      (async () => {
        // The start may still be being recorded: a 409 says to report again.
        for (;;) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-flint-callback-token': token },
            body: JSON.stringify({ error: { type: 'QuotaExceeded', message: 'no runners left' } }),
          });
          if (response.status !== 409) return response.status;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })(),
    );
  });
}

/**
 * The remote outcome through the whole pipeline: a webhook event starts an HTTP workflow with
 * `completion: callback`; the engine accepts the start and later reports that the job failed with
 * QuotaExceeded; the run ends FAILED with that type, and a run-status trigger filtering on it starts
 * its follow-up once.
 */
describe('end to end: a remote workflow reports its outcome and a chained trigger sees it', () => {
  const reports: Promise<number>[] = [];
  let remote: RemoteEngineStack;

  beforeAll(async () => {
    remote = await startRemoteEngineStack(
      ADMIN_KEY,
      failingEngine(reports),
      (base) =>
        [
          {
            kind: 'source',
            id: 'remote-hook',
            provider: 'webhook',
            config: { path: 'remote-hook', auth: { type: 'none' } },
          },
          {
            kind: 'trigger',
            id: 'remote-deploy',
            sources: ['remote-hook'],
            target: {
              type: 'http',
              url: `${base}/jobs`,
              completion: 'callback',
              completionTimeout: '5m',
            },
            input: { version: 'event.data.version' },
            retry: { maxAttempts: 1 },
          },
          {
            kind: 'source',
            id: 'remote-quota',
            provider: 'run-status',
            config: {
              triggers: ['remote-deploy'],
              statuses: ['FAILED'],
              errorTypes: ['QuotaExceeded'],
            },
          },
          {
            kind: 'trigger',
            id: 'remote-retry-later',
            sources: ['remote-quota'],
            target: { type: 'local', workflow: 'echo' },
            input: { version: 'event.data.input.version', reason: 'event.data.error.type' },
          },
        ] as unknown as Definition[],
    );
  });

  afterAll(async () => {
    await Promise.allSettled(reports);
    await remote?.stop();
  });

  it('fails the run with the reported type and starts the chained trigger once', async () => {
    await remote.post('remote-hook', { version: '2.0.1' });

    const store = remote.stack.services.get('runner')!.runtime.store;
    const runs = () =>
      store.query<{ trigger_id: string; status: string; result: unknown; error_type: string }>(
        'SELECT trigger_id, status, result, error_type FROM runs ORDER BY created_at',
      );
    await waitFor(
      async () =>
        (await runs()).some(
          (r) => r.trigger_id === 'remote-retry-later' && r.status === 'SUCCEEDED',
        ),
      { timeoutMs: 90_000, description: 'the chained run to succeed' },
    );
    expect(await Promise.all(reports)).toEqual([200]);
    const all = await runs();
    expect(all.filter((r) => r.trigger_id === 'remote-deploy')).toEqual([
      expect.objectContaining({ status: 'FAILED', error_type: 'QuotaExceeded' }),
    ]);
    const chained = all.filter((r) => r.trigger_id === 'remote-retry-later');
    expect(chained).toHaveLength(1);
    expect(chained[0]?.result).toEqual({ version: '2.0.1', reason: 'QuotaExceeded' });
  });
});
