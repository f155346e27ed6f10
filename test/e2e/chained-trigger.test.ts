import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@nestjs/common';
import type { Definition } from '@flint/contracts';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { isolatedStackEnv } from '../support/isolated-stack';
import { waitFor } from '../support/kafka';
import { type ScratchDatabase, createScratchDatabase } from '../support/postgres';

const quiet = { log: () => undefined } as unknown as Logger;
const ADMIN_KEY = 'chain-admin-key';

/**
 * Chaining through the whole pipeline: a webhook event starts an HTTP workflow that fails, the runner
 * publishes `flint.run.failed`, and a trigger listening to that run status starts its follow-up
 * workflow with the failed run's input.
 */
describe('end to end: a failed run starts its follow-up workflow', () => {
  let engine: Server;
  let database: ScratchDatabase;
  let stack: LocalStack;

  beforeAll(async () => {
    engine = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad input"}');
    });
    engine.listen(0, '127.0.0.1');
    await once(engine, 'listening');
    database = await createScratchDatabase();
    stack = await startLocalStack(
      isolatedStackEnv(database.url, { FLINT_ADMIN_API_KEY: ADMIN_KEY }),
      quiet,
    );
    const engineUrl = `http://127.0.0.1:${(engine.address() as AddressInfo).port}/deploy`;
    const definitions = [
      {
        kind: 'source',
        id: 'chain-hook',
        provider: 'webhook',
        config: { path: 'chain-hook', auth: { type: 'none' } },
      },
      {
        kind: 'trigger',
        id: 'deploy',
        sources: ['chain-hook'],
        target: { type: 'http', url: engineUrl },
        input: { version: 'event.data.version' },
        retry: { maxAttempts: 1 },
      },
      {
        kind: 'source',
        id: 'deploy-failures',
        provider: 'run-status',
        config: { triggers: ['deploy'], statuses: ['FAILED'] },
      },
      {
        kind: 'trigger',
        id: 'rollback',
        sources: ['deploy-failures'],
        target: { type: 'local', workflow: 'echo' },
        input: { failedVersion: 'event.data.input.version', reason: 'event.data.error.type' },
      },
    ] as unknown as Definition[];
    const client = new FlintApiClient(stack.services.get('api')!.url, ADMIN_KEY);
    await client.applyDefinitions(definitions);
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
    await new Promise((resolve) => engine?.close(resolve));
  });

  it('runs the rollback once with the failed deploy input', async () => {
    const webhook = stack.services.get('webhook')!.url;
    await waitFor(
      async () =>
        (
          await fetch(`${webhook}/hooks/chain-hook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ version: '1.4.2' }),
          })
        ).status === 202,
      { timeoutMs: 90_000, description: 'the webhook to accept the event' },
    );

    const store = stack.services.get('runner')!.runtime.store;
    const runs = () =>
      store.query<{ trigger_id: string; status: string; result: unknown }>(
        `SELECT trigger_id, status, result FROM runs ORDER BY created_at`,
      );
    await waitFor(
      async () =>
        (await runs()).some((r) => r.trigger_id === 'rollback' && r.status === 'SUCCEEDED'),
      { timeoutMs: 90_000, description: 'the rollback run to succeed' },
    );
    const all = await runs();
    expect(all.filter((r) => r.trigger_id === 'deploy').map((r) => r.status)).toEqual(['FAILED']);
    const rollbacks = all.filter((r) => r.trigger_id === 'rollback');
    expect(rollbacks).toHaveLength(1);
    expect(rollbacks[0].result).toMatchObject({ failedVersion: '1.4.2' });
    expect(typeof (rollbacks[0].result as { reason: unknown }).reason).toBe('string');
  });
});
