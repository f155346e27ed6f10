import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Logger } from '@nestjs/common';
import { type Definition, RunDetailSchema, type RunSummary } from '@flint/contracts';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { loadDefinitionFiles } from '../../apps/cli/src/definition-files';
import { definitionReferences } from '../../apps/cli/src/definition-references';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { isolatedStackEnv } from '../support/isolated-stack';
import { waitFor } from '../support/kafka';
import { type ScratchDatabase, createScratchDatabase } from '../support/postgres';

const quiet = { log: () => undefined } as unknown as Logger;
const ADMIN_KEY = 'probe-admin-key';

/**
 * secator's pattern, from examples/probe.yaml and the user workflows in examples/workflows (loaded by
 * the local stack from FLINT_WORKFLOWS_DIR): `probe` emits one probe.result per URL while it runs,
 * `bypass-forbidden` batches the 403s by the probe run, five at a time, and the last partial batch
 * goes when the probe run finishes. The test sets the batch timeout to an hour, so only the run's end
 * can have closed that last batch.
 */
describe('end to end: a workflow that emits items, batched into another workflow', () => {
  let target: Server;
  let base: string;
  let database: ScratchDatabase;
  let stack: LocalStack;
  let client: FlintApiClient;

  beforeAll(async () => {
    target = createServer((req, res) => {
      res.writeHead(req.url?.startsWith('/admin') ? 403 : 200).end();
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    base = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    database = await createScratchDatabase();
    stack = await startLocalStack(
      isolatedStackEnv(database.url, {
        FLINT_ADMIN_API_KEY: ADMIN_KEY,
        FLINT_WORKFLOWS_DIR: join(__dirname, '..', '..', 'examples', 'workflows'),
      }),
      quiet,
    );
    client = new FlintApiClient(stack.services.get('api')!.url, ADMIN_KEY);
    const loaded = await loadDefinitionFiles(
      [join(__dirname, '../../examples/probe.yaml')],
      await definitionReferences(client),
    );
    expect(loaded.problems).toEqual([]);
    const definitions = loaded.definitions.map(({ definition }) =>
      definition.kind === 'trigger' && definition.id === 'bypass-forbidden'
        ? ({ ...definition, batch: { ...definition.batch, timeout: '1h' } } as Definition)
        : definition,
    );
    await client.applyDefinitions(definitions);
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
    await new Promise((resolve) => target?.close(resolve));
  });

  const runsOf = async (triggerId: string) =>
    ((await client.request('GET', `/api/runs?trigger=${triggerId}`)) as { items: RunSummary[] })
      .items;

  it('starts bypass with every five forbidden URLs, and with the rest when the probe run ends', async () => {
    const forbidden = Array.from({ length: 7 }, (_, i) => `${base}/admin/${i}`);
    const allowed = Array.from({ length: 3 }, (_, i) => `${base}/public/${i}`);
    const urls = [...forbidden.slice(0, 3), ...allowed, ...forbidden.slice(3)];
    const webhook = stack.services.get('webhook')!.url;
    await waitFor(
      async () =>
        (
          await fetch(`${webhook}/hooks/probe`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ urls }),
          })
        ).status === 202,
      { timeoutMs: 90_000, description: 'the probe webhook to accept the URLs' },
    );

    const [probe] = await waitFor(
      async () => {
        const runs = await runsOf('probe');
        return runs.some((r) => r.status === 'SUCCEEDED') ? runs : undefined;
      },
      { timeoutMs: 90_000, description: 'the probe run to succeed' },
    );
    const probeRun = RunDetailSchema.parse(
      await client.request('GET', `/api/runs/${probe!.runId}`),
    );
    expect(probeRun.result).toEqual({ probed: 10 });

    const bypasses = await waitFor(
      async () => {
        const runs = await runsOf('bypass-forbidden');
        return runs.filter((r) => r.status === 'SUCCEEDED').length === 2 ? runs : undefined;
      },
      { timeoutMs: 90_000, description: 'two bypass runs: a full batch and the rest' },
    );
    const results = await Promise.all(
      bypasses.map(
        async (run) =>
          RunDetailSchema.parse(await client.request('GET', `/api/runs/${run.runId}`)).result as {
            urls: string[];
          },
      ),
    );
    expect(results.map((r) => r.urls).sort((a, b) => b.length - a.length)).toEqual([
      forbidden.slice(0, 5),
      forbidden.slice(5),
    ]);
  });
});
