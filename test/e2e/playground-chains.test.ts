import { join } from 'node:path';
import type { Logger } from '@nestjs/common';
import {
  describeAttempts,
  type RunDetail,
  RunDetailSchema,
  type RunSummary,
  TriggerStatsSchema,
} from '@flint/contracts';
import { FlintApiClient } from '../../apps/cli/src/api-client';
import { loadDefinitionFiles } from '../../apps/cli/src/definition-files';
import { definitionReferences } from '../../apps/cli/src/definition-references';
import { type LocalStack, startLocalStack } from '../../apps/local-stack/src/local-stack';
import { isolatedStackEnv } from '../support/isolated-stack';
import { waitFor } from '../support/kafka';
import { type ScratchDatabase, createScratchDatabase } from '../support/postgres';

const quiet = { log: () => undefined } as unknown as Logger;
const ADMIN_KEY = 'playground-admin-key';

/**
 * examples/playground.yaml as a user tries it: one POST per demonstration workflow, and each chain
 * fires on what the workflow really did — a timeout, a typed error whose class sets no name
 * (`PaymentDeclinedError`), a result above a threshold.
 */
describe('end to end: the playground chains on timeouts, typed errors and results', () => {
  let database: ScratchDatabase;
  let stack: LocalStack;
  let client: FlintApiClient;

  beforeAll(async () => {
    database = await createScratchDatabase();
    stack = await startLocalStack(
      isolatedStackEnv(database.url, { FLINT_ADMIN_API_KEY: ADMIN_KEY }),
      quiet,
    );
    client = new FlintApiClient(stack.services.get('api')!.url, ADMIN_KEY);
    const loaded = await loadDefinitionFiles(
      [join(__dirname, '../../examples/playground.yaml')],
      await definitionReferences(client),
    );
    expect(loaded.problems).toEqual([]);
    await client.applyDefinitions(loaded.definitions.map((d) => d.definition));
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
  });

  async function post(body: unknown): Promise<void> {
    const webhook = stack.services.get('webhook')!.url;
    await waitFor(
      async () =>
        (
          await fetch(`${webhook}/hooks/playground`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          })
        ).status === 202,
      { timeoutMs: 90_000, description: 'the playground webhook to accept the event' },
    );
  }

  async function finishedRun(triggerId: string): Promise<RunDetail> {
    const summary = await waitFor(
      async () => {
        const page = (await client.request('GET', `/api/runs?trigger=${triggerId}`)) as {
          items: RunSummary[];
        };
        return page.items.find((run) => run.status === 'SUCCEEDED' || run.status === 'FAILED');
      },
      { timeoutMs: 90_000, description: `a finished run of ${triggerId}` },
    );
    return RunDetailSchema.parse(await client.request('GET', `/api/runs/${summary.runId}`));
  }

  it('a declined payment is recorded as PaymentDeclinedError, not retried, and starts its follow-up', async () => {
    await post({ try: 'payment', amount: 120 });
    const payment = await finishedRun('playground-payment');
    expect(payment).toMatchObject({
      status: 'FAILED',
      workflow: 'decline-payment',
      attempts: 1,
      maxAttempts: 3,
      error: {
        type: 'PaymentDeclinedError',
        message: 'the card was declined for the amount 120',
      },
    });
    expect(describeAttempts(payment)).toBe('1 (not retried: PaymentDeclinedError is final)');
    const declined = await finishedRun('playground-declined');
    expect(declined).toMatchObject({
      status: 'SUCCEEDED',
      result: { declinedAmount: 120, reason: 'the card was declined for the amount 120' },
    });
  });

  it('a sleep past its timeout fails with TimeoutError and starts playground-too-slow', async () => {
    await post({ try: 'sleep', ms: 5000 });
    const sleep = await finishedRun('playground-sleep');
    expect(sleep).toMatchObject({ status: 'FAILED', error: { type: 'TimeoutError' } });
    const tooSlow = await finishedRun('playground-too-slow');
    expect(tooSlow).toMatchObject({
      status: 'SUCCEEDED',
      result: { timedOutRun: sleep.runId, askedForMs: 5000 },
    });
  });

  it('a sum is the result a chained condition reads: only a sum above 100 starts playground-big-sum', async () => {
    await post({ try: 'sum', numbers: [1, 2] });
    await post({ try: 'sum', numbers: [60, 70] });
    const bigSum = await finishedRun('playground-big-sum');
    expect(bigSum).toMatchObject({ status: 'SUCCEEDED', result: { sum: 130, of: [60, 70] } });
    // Both sums' SUCCEEDED events reach playground-big-sum; the condition turns the small one away.
    const totals = await waitFor(
      async () => {
        const stats = TriggerStatsSchema.parse(
          await client.request('GET', '/api/triggers/playground-big-sum/stats'),
        );
        return stats.totals.received >= 2 ? stats.totals : undefined;
      },
      { timeoutMs: 90_000, description: 'both sums to reach playground-big-sum' },
    );
    expect(totals).toMatchObject({ received: 2, matched: 1, dropped: 1 });
  });
});
