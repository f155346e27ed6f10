import { DLQ_HEADERS } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import { waitFor } from '../../../support/kafka';
import { describeIfPostgres } from '../../../support/postgres';
import { metricValue, runRequest, RunnerTestBed } from '../runner-harness';
import { TargetServer } from './target-server';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describeIfPostgres('runner: http targets', () => {
  const bed = new RunnerTestBed('runner-http');
  const server = new TargetServer();
  let runner: RunningService;

  const httpRequest = (path: string, extra: Record<string, unknown> = {}) =>
    runRequest({
      target: {
        type: 'http',
        url: `${server.route(path, () => ({ status: 200 }))}`,
        method: 'POST',
        headers: {},
        timeoutMs: 5000,
        ...extra,
      },
    });

  beforeAll(async () => {
    await server.start();
    await bed.setUp('runner_http');
    runner = await bed.startRunner();
  });

  afterAll(async () => {
    await bed.tearDown();
    await server.stop();
  });

  it('starts the workflow with the input, the traceparent and the run id, and records the answer', async () => {
    const request = httpRequest('/ok');
    server.route('/ok', () => ({ status: 201, body: JSON.stringify({ workflow: 'wf-123' }) }));
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'SUCCEEDED');
    expect(run).toMatchObject({
      attempts: 1,
      result: { status: 201, body: { workflow: 'wf-123' } },
    });
    expect(run.startedAt).toBeInstanceOf(Date);
    const [received] = server.requestsTo('/ok');
    expect(JSON.parse(received?.body ?? '')).toEqual(request.input);
    expect(received?.headers).toMatchObject({
      traceparent: TRACEPARENT,
      'idempotency-key': request.runId,
      'content-type': 'application/json',
    });
    expect(await bed.runs.history.attempts(request.runId)).toEqual([
      expect.objectContaining({
        attempt: 1,
        outcome: 'succeeded',
        response: { status: 201, excerpt: '{"workflow":"wf-123"}' },
      }),
    ]);

    const events = await bed.waitForEvents(request.runId, [
      'flint.run.started',
      'flint.run.succeeded',
    ]);
    expect(events.map((event) => event.type)).toEqual(['flint.run.started', 'flint.run.succeeded']);
    expect(events[1]).toMatchObject({
      data: { status: 'SUCCEEDED', attempt: 1, input: request.input },
      headers: { ce_source: 'flint/runner', ce_flintprovider: 'runner', traceparent: TRACEPARENT },
    });
    expect(
      await metricValue(runner, 'triggers_runs_started_total', { provider: 'webhook' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await metricValue(runner, 'triggers_latency_seconds', { provider: 'webhook' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('retries a 500 and succeeds on the next attempt', async () => {
    const request = httpRequest('/flaky');
    server.route('/flaky', (nth) =>
      nth === 1 ? { status: 500, body: 'database is down' } : { status: 200 },
    );
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'SUCCEEDED');
    expect(run.attempts).toBe(2);
    expect(server.requestsTo('/flaky')).toHaveLength(2);
    const attempts = await bed.runs.history.attempts(request.runId);
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['retry', 'succeeded']);
    expect(attempts[0]).toMatchObject({
      error: { type: 'HttpStatusError' },
      response: { status: 500, excerpt: 'database is down' },
    });
    expect(server.requestsTo('/flaky')[1]?.headers['x-flint-attempt']).toBe('2');
  });

  it('fails a 400 at once, without retrying, and dead-letters the request with the reason', async () => {
    const request = httpRequest('/bad');
    server.route('/bad', () => ({ status: 400, body: '{"error":"missing field"}' }));
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'FAILED');
    expect(run).toMatchObject({ attempts: 1, error: { type: 'HttpStatusError' } });
    expect(run.error?.message).toContain('answered 400');
    const dead = await bed.waitForDeadLetter(request.runId);
    expect(dead.headers[DLQ_HEADERS.reason]).toBe('processing-failed');
    expect(dead.headers[DLQ_HEADERS.error]).toContain('HttpStatusError');
    expect(dead.headers[DLQ_HEADERS.sourceTopic]).toBe(bed.topics.runs);
    expect(JSON.parse(dead.value ?? '')).toMatchObject({ runId: request.runId });
    const events = await bed.waitForEvents(request.runId, ['flint.run.failed']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.failed']);
    expect(events[0]?.data.error).toMatchObject({ type: 'HttpStatusError' });
    expect(server.requestsTo('/bad')).toHaveLength(1);
  });

  it('times out an attempt that gets no answer, retries it, and fails when attempts run out', async () => {
    const request = runRequest({
      target: {
        type: 'http',
        url: server.route('/silent', () => 'hold'),
        method: 'POST',
        headers: {},
        timeoutMs: 300,
      },
      retry: { maxAttempts: 2, backoff: { initialMs: 50, maxMs: 50, multiplier: 1, jitter: 0 } },
    });
    await bed.send(request);

    const run = await bed.waitForStatus(request.runId, 'FAILED');
    expect(run).toMatchObject({ attempts: 2, error: { type: 'TimeoutError' } });
    expect(server.requestsTo('/silent')).toHaveLength(2);
    const dead = await bed.waitForDeadLetter(request.runId);
    expect(dead.headers[DLQ_HEADERS.error]).toContain('failed after 2 attempt(s): TimeoutError');
  });

  it('waits as long as a 429 Retry-After says before trying again', async () => {
    const request = httpRequest('/busy');
    server.route('/busy', (nth) =>
      nth === 1 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 202 },
    );
    await bed.send(request);

    await bed.waitForStatus(request.runId, 'SUCCEEDED');
    const [first, second] = server.requestsTo('/busy');
    // The policy's backoff is 100 ms; only the header explains a wait of two seconds.
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1900);
  });

  it('starts one run for three copies of one request and counts the other two as duplicates', async () => {
    const request = httpRequest('/once');
    const duplicatesBefore = await metricValue(runner, 'triggers_run_requests_duplicate_total');
    await bed.send(request, request, request);

    await bed.waitForStatus(request.runId, 'SUCCEEDED');
    await waitFor(
      async () =>
        (await metricValue(runner, 'triggers_run_requests_duplicate_total')) ===
        duplicatesBefore + 2,
      { description: 'two duplicates counted' },
    );
    await bed.waitForEvents(request.runId, ['flint.run.succeeded']);
    expect(server.requestsTo('/once')).toHaveLength(1);
    expect(bed.statusEvents(request.runId).map((event) => event.type)).toEqual([
      'flint.run.started',
      'flint.run.succeeded',
    ]);
  });

  it('dead-letters malformed run requests with the reason and keeps going', async () => {
    const invalid = { ...httpRequest('/never'), provider: 'E-mail', eventIds: [] };
    await bed.sendRaw('{ not json', 'not-json');
    await bed.send(invalid);
    const after = httpRequest('/after-bad-input');
    await bed.send(after);

    const notJson = await bed.waitForDeadLetter('not-json');
    expect(notJson.headers[DLQ_HEADERS.reason]).toBe('undecodable');
    expect(notJson.headers[DLQ_HEADERS.error]).toContain('a run request must be JSON');
    expect(notJson.value).toBe('{ not json');
    const rejected = await bed.waitForDeadLetter(invalid.runId);
    expect(rejected.headers[DLQ_HEADERS.reason]).toBe('invalid');
    expect(rejected.headers[DLQ_HEADERS.error]).toContain(
      'eventIds: must list at least one event id',
    );
    expect(rejected.headers[DLQ_HEADERS.error]).toContain('provider: must be a provider name');

    await bed.waitForStatus(after.runId, 'SUCCEEDED');
    expect(await bed.runs.history.get(invalid.runId)).toBeUndefined();
    expect(server.requestsTo('/never')).toHaveLength(0);
  });

  it('lets other runs on the same partition start while one waits for a retry, and keeps the wait across a restart', async () => {
    let available = false;
    const waiting = runRequest({
      target: {
        type: 'http',
        url: server.route('/unavailable', () => (available ? { status: 200 } : { status: 503 })),
        method: 'POST',
        headers: {},
        timeoutMs: 5000,
      },
      retry: {
        maxAttempts: 50,
        backoff: { initialMs: 1000, maxMs: 1000, multiplier: 1, jitter: 0 },
      },
    });
    const other = httpRequest('/available');
    await bed.send(waiting, other);

    await bed.waitForStatus(other.runId, 'SUCCEEDED');
    const pending = await bed.runs.history.get(waiting.runId);
    expect(pending).toMatchObject({ status: 'REQUESTED' });
    expect(pending?.attempts).toBeGreaterThanOrEqual(1);

    await bed.stopRunner(runner);
    available = true;
    runner = await bed.startRunner();
    const run = await bed.waitForStatus(waiting.runId, 'SUCCEEDED');
    expect(run.attempts).toBeGreaterThanOrEqual(2);
    const events = await bed.waitForEvents(waiting.runId, ['flint.run.succeeded']);
    expect(events.map((event) => event.type)).toEqual(['flint.run.started', 'flint.run.succeeded']);
  });
});
