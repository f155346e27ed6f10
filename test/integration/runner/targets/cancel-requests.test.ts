import { randomUUID } from 'node:crypto';
import type { RunningService } from '@flint/service-kit';
import { RunCancellationRepository, RunControlRepository } from '@flint/store';
import { WorkflowCancellationSchema, type Target } from '@flint/contracts';
import { createTestTopic, waitFor } from '../../../support/kafka';
import { describeIfPostgres } from '../../../support/postgres';
import type { ConsumedMessage } from '../../../support/service-test-bed';
import { metricValue, runRequest, RunnerTestBed } from '../runner-harness';
import { TargetServer } from './target-server';

/**
 * Cancelling a run that runs on a remote workflow engine (a `completion: callback` target, so the run
 * is STARTED on the target) asks the engine to stop through the target's `cancel`: one HTTP request
 * to a real server, or one `flint.workflow.cancel` command on a real topic. The cancels go through
 * RunControlRepository, as `POST /api/runs/{id}/cancel` and the evaluator's `cancelOn` record them.
 */
describeIfPostgres('runner: cancellation requests to HTTP and Kafka targets', () => {
  const bed = new RunnerTestBed('runner-cancel-requests');
  const server = new TargetServer();
  const commands: ConsumedMessage[] = [];
  let control: RunControlRepository;
  let cancellations: RunCancellationRepository;
  let runner: RunningService;
  let cancelTopic: string;

  beforeAll(async () => {
    await server.start();
    await bed.setUp('runner_cancel_requests');
    control = new RunControlRepository(bed.store);
    cancellations = new RunCancellationRepository(bed.store);
    cancelTopic = await createTestTopic(bed.kafka, 'runner-cancel-commands');
    await bed.collect([cancelTopic], (message) => commands.push(message));
    runner = await bed.startRunner();
  });

  afterAll(async () => {
    await bed.tearDown();
    await server.stop();
  });

  /** An HTTP callback target whose engine answers the start with 202; its cancel URL per run. */
  function httpTarget(name: string, cancel: boolean): Target {
    const start = server.route(`/${name}/start`, () => ({ status: 202 }));
    return {
      type: 'http',
      url: start,
      method: 'POST',
      headers: { 'x-start': 'yes' },
      timeoutMs: 5000,
      completion: 'callback',
      ...(cancel
        ? {
            cancel: {
              url: start.replace(/\/start$/, '/jobs/{{runId}}/cancel'),
              method: 'POST',
              headers: { 'x-team': 'release' },
            },
          }
        : {}),
    };
  }

  function cancelRoute(name: string, runId: string): string {
    const path = `/${name}/jobs/${runId}/cancel`;
    server.route(path, () => ({ status: 200 }));
    return path;
  }

  async function startedRun(target: Target, triggerId = 'test-trigger') {
    const id = randomUUID().slice(0, 8);
    const request = runRequest({ runId: `${triggerId}.${id}`, triggerId, target });
    await bed.send(request);
    await waitFor(
      async () => (await bed.runs.history.get(request.runId))?.callbackDeadline !== undefined,
      { description: `run ${request.runId} to wait for its callback` },
    );
    return request;
  }

  it('sends one HTTP cancellation when a running run is cancelled through the API', async () => {
    const name = `api-${randomUUID().slice(0, 8)}`;
    const request = await startedRun(httpTarget(name, true));
    const path = cancelRoute(name, request.runId);

    expect(await control.requestCancel(request.runId)).toMatchObject({ outcome: 'requested' });
    const run = await bed.waitForStatus(request.runId, 'CANCELLED');
    expect(run.error).toEqual({
      type: 'CancelledError',
      message: 'the run was cancelled on request',
    });
    const sent = await waitFor(
      async () => {
        const record = await cancellations.get(request.runId);
        return record?.status === 'sent' ? record : undefined;
      },
      { description: 'the cancellation request recorded as sent' },
    );
    expect(sent).toMatchObject({ tries: 1, responseStatus: 200 });
    const [received, ...more] = server.requestsTo(path);
    expect(more).toEqual([]);
    expect(received?.method).toBe('POST');
    expect(received?.headers).toMatchObject({
      'x-team': 'release',
      'idempotency-key': `${request.runId}:cancel`,
      'x-flint-run-id': request.runId,
    });
    expect(received?.headers['x-start']).toBeUndefined();
    const body = WorkflowCancellationSchema.parse(JSON.parse(received?.body ?? ''));
    expect(body).toMatchObject({
      runId: request.runId,
      triggerId: request.triggerId,
      reason: 'the run was cancelled on request',
    });
    expect(body.cancelledByEvent).toBeUndefined();
    expect(
      await metricValue(runner, 'triggers_run_cancellation_requests_total', {
        target: 'http',
        outcome: 'sent',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect((await bed.runs.history.get(request.runId))?.status).toBe('CANCELLED');
  });

  it('names the cancelling event when a cancelOn event cancelled the run', async () => {
    const name = `event-${randomUUID().slice(0, 8)}`;
    const triggerId = `cancel-on-${randomUUID().slice(0, 8)}`;
    const request = await startedRun(httpTarget(name, true), triggerId);
    const path = cancelRoute(name, request.runId);

    const eventId = `cancelling-${randomUUID()}`;
    expect(
      await control.requestCancelByEvent({
        triggerId,
        cancelKey: undefined,
        eventId,
        acceptedAt: new Date(),
      }),
    ).toEqual([request.runId]);
    await bed.waitForStatus(request.runId, 'CANCELLED');
    const received = await waitFor(() => server.requestsTo(path)[0], {
      description: 'the cancellation request',
    });
    expect(JSON.parse(received.body)).toMatchObject({
      runId: request.runId,
      triggerId,
      cancelledByEvent: eventId,
      reason: `the run was cancelled by event ${eventId} (its trigger's cancelOn)`,
    });
    await waitFor(async () => (await cancellations.get(request.runId))?.status === 'sent', {
      description: 'the cancellation request recorded as sent',
    });
    expect(server.requestsTo(path)).toHaveLength(1);
  });

  it('sends nothing for a target that declares no cancel', async () => {
    const name = `none-${randomUUID().slice(0, 8)}`;
    const request = await startedRun(httpTarget(name, false));
    const before = server.received.length;

    await control.requestCancel(request.runId);
    await bed.waitForStatus(request.runId, 'CANCELLED');
    // The request would have been committed with the transition: none was.
    expect(await cancellations.get(request.runId)).toBeUndefined();
    expect(server.received.length).toBe(before);
  });

  it('sends nothing for a run cancelled before it reached its target', async () => {
    const name = `queued-${randomUUID().slice(0, 8)}`;
    const target = httpTarget(name, true);
    // The start fails with 503 and waits a minute for its retry, where the cancel finds it.
    server.route(`/${name}/start`, () => ({ status: 503, headers: { 'retry-after': '60' } }));
    const request = runRequest({ target });
    await bed.send(request);
    await waitFor(async () => (await bed.runs.history.get(request.runId))?.attempts === 1, {
      description: 'the first attempt',
    });
    await waitFor(
      async () => (await bed.runs.history.get(request.runId))?.claimedBy === undefined,
      { description: 'the run to wait for its retry' },
    );

    await control.requestCancel(request.runId);
    await bed.waitForStatus(request.runId, 'CANCELLED');
    expect(await cancellations.get(request.runId)).toBeUndefined();
  });

  it('aborts an HTTP start still in flight, then asks the engine to stop the run', async () => {
    const name = `inflight-${randomUUID().slice(0, 8)}`;
    const target = httpTarget(name, true);
    server.route(`/${name}/start`, () => 'hold');
    const request = runRequest({ target });
    const path = cancelRoute(name, request.runId);
    await bed.send(request);
    await waitFor(() => server.requestsTo(`/${name}/start`)[0], {
      description: 'the start request',
    });

    await control.requestCancel(request.runId);
    const run = await bed.waitForStatus(request.runId, 'CANCELLED');
    expect(run.attempts).toBe(1);
    await waitFor(async () => (await cancellations.get(request.runId))?.status === 'sent', {
      description: 'the cancellation request recorded as sent',
    });
    expect(server.requestsTo(path)).toHaveLength(1);
    expect(server.requestsTo(`/${name}/start`)).toHaveLength(1);
  });

  it('produces one flint.workflow.cancel command keyed by run id for a Kafka target', async () => {
    const startTopic = await createTestTopic(bed.kafka, 'runner-cancel-starts');
    const request = await startedRun(
      { type: 'kafka', topic: startTopic, completion: 'callback', cancel: { topic: cancelTopic } },
      `kafka-${randomUUID().slice(0, 8)}`,
    );

    const eventId = `cancelling-${randomUUID()}`;
    await control.requestCancelByEvent({
      triggerId: request.triggerId,
      cancelKey: undefined,
      eventId,
      acceptedAt: new Date(),
    });
    await bed.waitForStatus(request.runId, 'CANCELLED');
    const command = await waitFor(() => commands.find((message) => message.key === request.runId), {
      description: 'the cancel command',
    });
    expect(command.headers).toMatchObject({
      ce_type: 'flint.workflow.cancel',
      ce_id: `${request.runId}:cancel`,
      ce_subject: request.runId,
    });
    expect(
      WorkflowCancellationSchema.parse(JSON.parse(command.value?.toString() ?? '')),
    ).toMatchObject({ runId: request.runId, cancelledByEvent: eventId });
    await waitFor(async () => (await cancellations.get(request.runId))?.status === 'sent', {
      description: 'the cancellation command recorded as sent',
    });
    expect(
      await metricValue(runner, 'triggers_run_cancellation_requests_total', {
        target: 'kafka',
        outcome: 'sent',
      }),
    ).toBe(1);
    expect(commands.filter((message) => message.key === request.runId)).toHaveLength(1);
  });
});
