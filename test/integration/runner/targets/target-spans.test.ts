import { type Telemetry, startTelemetry } from '@flint/telemetry';
import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import { createTestTopic, waitFor } from '../../../support/kafka';
import { describeIfPostgres } from '../../../support/postgres';
import { runRequest, RunnerTestBed } from '../runner-harness';
import { TargetServer } from './target-server';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const [, TRACE_ID, EVENT_SPAN_ID] = TRACEPARENT.split('-');

/**
 * A target call is an HTTP client span (the maintained undici/fetch instrumentation) or a Kafka
 * `send <topic>` span, the child of the attempt's span, which continues the event's trace.
 */
describeIfPostgres('runner: the spans of target calls', () => {
  const bed = new RunnerTestBed('runner-spans');
  const server = new TargetServer();
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;

  beforeAll(async () => {
    telemetry = startTelemetry({
      serviceName: 'flint-test',
      env: {},
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    await server.start();
    await bed.setUp('runner_spans');
    await bed.startRunner();
  });

  afterAll(async () => {
    await bed.tearDown();
    await server.stop();
    await telemetry.shutdown();
  });

  async function spansOf(runId: string): Promise<{ attempt: ReadableSpan; calls: ReadableSpan[] }> {
    return waitFor(
      async () => {
        await telemetry.forceFlush();
        const spans = exporter.getFinishedSpans();
        const attempt = spans.find((s) => s.attributes['flint.run_id'] === runId);
        if (!attempt) return null;
        const calls = spans.filter(
          (s) => s.parentSpanContext?.spanId === attempt.spanContext().spanId,
        );
        return calls.length > 0 ? { attempt, calls } : null;
      },
      { description: `the spans of run ${runId}` },
    );
  }

  it('traces an HTTP target call as an HTTP client span with http.* and url.* attributes', async () => {
    const url = server.route('/traced', () => ({ status: 202 }));
    const request = runRequest({
      target: { type: 'http', url, method: 'POST', headers: {}, timeoutMs: 5000 },
    });
    await bed.send(request);
    await bed.waitForStatus(request.runId, 'SUCCEEDED');

    const { attempt, calls } = await spansOf(request.runId);
    expect(attempt).toMatchObject({ name: 'start http target', kind: SpanKind.INTERNAL });
    expect(attempt.spanContext().traceId).toBe(TRACE_ID);
    expect(attempt.parentSpanContext?.spanId).toBe(EVENT_SPAN_ID);
    expect(attempt.resource.attributes['service.name']).toBe('flint-runner');
    const [call] = calls;
    expect(call).toMatchObject({
      name: 'POST',
      kind: SpanKind.CLIENT,
      instrumentationScope: expect.objectContaining({
        name: '@opentelemetry/instrumentation-undici',
      }),
    });
    const { port, hostname } = new URL(url);
    expect(call.attributes).toMatchObject({
      'http.request.method': 'POST',
      'url.full': url,
      'server.address': hostname,
      'server.port': Number(port),
      'http.response.status_code': 202,
    });
    // The workflow engine gets one traceparent: the HTTP client span's.
    const [received] = server.requestsTo('/traced');
    expect(received?.headers.traceparent).toBe(`00-${TRACE_ID}-${call.spanContext().spanId}-01`);
  });

  it('traces a Kafka target call as a send span with the messaging attributes', async () => {
    const topic = await createTestTopic(bed.kafka, 'runner-spans-commands');
    const request = runRequest({ target: { type: 'kafka', topic } });
    await bed.send(request);
    await bed.waitForStatus(request.runId, 'SUCCEEDED');

    const { attempt, calls } = await spansOf(request.runId);
    expect(attempt.name).toBe('start kafka target');
    expect(calls).toEqual([
      expect.objectContaining({
        name: `send ${topic}`,
        kind: SpanKind.PRODUCER,
        attributes: expect.objectContaining({
          'messaging.system': 'kafka',
          'messaging.operation.name': 'send',
          'messaging.destination.name': topic,
          'messaging.kafka.message.key': request.runId,
          'messaging.message.id': request.runId,
        }),
      }),
    ]);
  });
});
