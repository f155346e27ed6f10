import { randomUUID } from 'node:crypto';
import { RunRequestSchema, type RunRequest } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import { createTestTopic, uniqueName, waitFor } from '../../../support/kafka';
import { collectMessages, type ConsumedMessage } from '../../../support/service-test-bed';
import { RunnerTestBed, runRequest } from '../../runner/runner-harness';
import { type ReceivedRequest, TargetServer } from '../../runner/targets/target-server';
import { call, startApi } from '../api-harness';

const sfx = randomUUID().slice(0, 8);

/** What a remote workflow does at the end: reports its outcome, again while its start is recorded. */
async function reportOutcome(url: string, token: string, body: unknown): Promise<number> {
  for (;;) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-flint-callback-token': token },
      body: JSON.stringify(body),
    });
    if (response.status !== 409) return response.status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `completion: callback`: a remote workflow's run stays STARTED until the workflow reports its
 * outcome to the API with its run's single-use token, or fails with TimeoutError at the deadline;
 * the run-status events carry the real outcome. A real runner, API, broker and database.
 */
describe('remote outcomes: completion: callback and POST /api/runs/{id}/complete', () => {
  const bed = new RunnerTestBed('run-callbacks');
  const server = new TargetServer();
  let api: RunningService;
  const reports: Promise<number>[] = [];

  beforeAll(async () => {
    await server.start();
    await bed.setUp('run_callbacks');
    api = await startApi(bed.topics, { DATABASE_URL: bed.database.url });
    await bed.startRunner({ env: { FLINT_CALLBACK_BASE_URL: api.url } });
  });

  afterAll(async () => {
    await Promise.allSettled(reports);
    await api?.stop();
    await bed.tearDown();
    await server.stop();
  });

  /** A workflow engine that accepts the start and reports `outcome` once it answered. */
  function engine(path: string, outcome: unknown): string {
    return server.route(path, (_nth, request: ReceivedRequest) => {
      const url = request.headers['x-flint-callback-url'] as string;
      const token = request.headers['x-flint-callback-token'] as string;
      setImmediate(() => reports.push(reportOutcome(url, token, outcome)));
      return { status: 202, body: '{"accepted":true}' };
    });
  }

  function callbackRun(url: string, extra: Record<string, unknown> = {}): RunRequest {
    return RunRequestSchema.parse(
      runRequest({
        target: {
          type: 'http',
          url,
          method: 'POST',
          headers: {},
          timeoutMs: 10_000,
          completion: 'callback',
          ...extra,
        },
      }),
    );
  }

  it('ends the run with the result the workflow reports, once', async () => {
    const path = `/deploy-${sfx}`;
    const run = callbackRun(engine(path, { result: { deployed: 'v42' } }));
    await bed.send(run);
    const done = await bed.waitForStatus(run.runId, 'SUCCEEDED');
    expect(done.result).toEqual({ deployed: 'v42' });
    const [start] = server.requestsTo(path);
    expect(start?.headers['x-flint-callback-url']).toBe(
      `${api.url}/api/runs/${run.runId}/complete`,
    );
    expect(await Promise.all(reports)).toContain(200);

    const events = await bed.waitForEvents(run.runId, ['flint.run.succeeded']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.started', 'flint.run.succeeded']);
    expect(events[1]?.data.result).toEqual({ deployed: 'v42' });

    // The token works once.
    const again = await reportOutcome(
      start?.headers['x-flint-callback-url'] as string,
      start?.headers['x-flint-callback-token'] as string,
      { result: 'twice' },
    );
    expect(again).toBe(401);
    expect((await bed.runs.history.get(run.runId))?.result).toEqual({ deployed: 'v42' });
  });

  it('fails the run with the error type the workflow reports, for run-status triggers to see', async () => {
    const run = callbackRun(
      engine(`/charge-${sfx}`, { error: { type: 'PaymentDeclined', message: 'card expired' } }),
    );
    await bed.send(run);
    const failed = await bed.waitForStatus(run.runId, 'FAILED');
    expect(failed.error).toEqual({ type: 'PaymentDeclined', message: 'card expired' });
    const events = await bed.waitForEvents(run.runId, ['flint.run.failed']);
    expect(events.map((event) => event.data.error?.type)).toEqual([undefined, 'PaymentDeclined']);
    // A workflow that failed after it started is no dead letter.
    expect(bed.deadLetters.some((letter) => letter.key === run.runId)).toBe(false);
  });

  it('fails a run whose workflow never reports with TimeoutError at the deadline', async () => {
    const url = server.route(`/silent-${sfx}`, () => ({ status: 202 }));
    const run = callbackRun(url, { completionTimeout: '1s' });
    await bed.send(run);
    const started = await bed.waitForStatus(run.runId, 'STARTED');
    const detail = await call(api.url, 'GET', `/api/runs/${run.runId}`);
    expect(Date.parse(detail.body.callbackDeadline)).toBeGreaterThan(
      started.startedAt?.getTime() ?? 0,
    );
    const failed = await bed.waitForStatus(run.runId, 'FAILED');
    expect(failed.error?.type).toBe('TimeoutError');
    expect(failed.error?.message).toContain('did not report its outcome by');
  });

  it('passes the callback on a Kafka target’s command too', async () => {
    const topic = await createTestTopic(bed.kafka, 'callback-commands');
    const commands: ConsumedMessage[] = [];
    const consumer = await collectMessages(bed.kafka, [topic], uniqueName('commands'), (m) =>
      commands.push(m),
    );
    try {
      const run = RunRequestSchema.parse(
        runRequest({ target: { type: 'kafka', topic, completion: 'callback' } }),
      );
      await bed.send(run);
      const command = await waitFor(() => commands.find((m) => m.key === run.runId), {
        description: 'the start command',
      });
      const url = command.headers.ce_flintcallbackurl as string;
      expect(url).toBe(`${api.url}/api/runs/${run.runId}/complete`);
      const status = await reportOutcome(url, command.headers.ce_flintcallbacktoken as string, {
        result: 7,
      });
      expect(status).toBe(200);
      expect((await bed.waitForStatus(run.runId, 'SUCCEEDED')).result).toBe(7);
    } finally {
      await consumer.disconnect();
    }
  });

  it('refuses a report without its token, with a wrong one, or with both result and error', async () => {
    const url = server.route(`/waiting-${sfx}`, () => ({ status: 202 }));
    const run = callbackRun(url);
    await bed.send(run);
    await bed.waitForStatus(run.runId, 'STARTED');
    const complete = `/api/runs/${run.runId}/complete`;
    const noToken = await call(api.url, 'POST', complete, { key: null, body: { result: 1 } });
    expect(noToken.status).toBe(400);
    expect(noToken.body.error.issues[0].path).toBe('x-flint-callback-token');
    const wrong = await call(api.url, 'POST', complete, {
      key: null,
      body: { result: 1 },
      headers: { 'x-flint-callback-token': 'guessed' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('invalid_token');
    const token = server.requestsTo(`/waiting-${sfx}`)[0]?.headers[
      'x-flint-callback-token'
    ] as string;
    const both = await call(api.url, 'POST', complete, {
      key: null,
      body: { result: 1, error: { type: 'X', message: 'y' } },
      headers: { 'x-flint-callback-token': token },
    });
    expect(both.status).toBe(400);
    expect((await bed.runs.history.get(run.runId))?.status).toBe('STARTED');

    // Cancelling a run that waits for its outcome ends it, and its token with it.
    await call(api.url, 'POST', `/api/runs/${run.runId}/cancel`);
    await bed.waitForStatus(run.runId, 'CANCELLED');
    expect(await reportOutcome(`${api.url}${complete}`, token, { result: 1 })).toBe(401);
  });
});
