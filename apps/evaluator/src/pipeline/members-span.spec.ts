import { ManualClock } from '@flint/common/testing';
import { CelEngine } from '@flint/conditions';
import { type Telemetry, contextFromTraceparent, inSpan, startTelemetry } from '@flint/telemetry';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import { compiled, webhookEvent } from '../testing/triggers';
import { EVALUATOR_TRACER, inMembersSpan } from './members-span';
import { RunRequestMaker } from './run-request-maker';

const TRACEPARENTS = [
  '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  '00-5c2a8e6f0b1d4e7f9a3b2c1d0e9f8a7b-1a2b3c4d5e6f7a8b-01',
];

function spanIdOf(traceparent: string): string {
  return traceparent.split('-')[2]!;
}

function traceIdOf(traceparent: string): string {
  return traceparent.split('-')[1]!;
}

describe('the span of a run caused by several events', () => {
  const exporter = new InMemorySpanExporter();
  // Spans are exported once the resource's detected attributes settle, so reads flush first.
  const processor = new SimpleSpanProcessor({ exporter });
  let telemetry: Telemetry;
  let engine: CelEngine;
  let runs: RunRequestMaker;

  beforeAll(async () => {
    telemetry = startTelemetry({
      serviceName: 'flint-evaluator-spec',
      env: {},
      spanProcessors: [processor],
    });
    engine = await CelEngine.create();
  });

  afterAll(() => telemetry.shutdown());

  beforeEach(() => {
    exporter.reset();
    runs = new RunRequestMaker(new ManualClock(), 'flint.runs');
  });

  async function finished(name: string): Promise<ReadableSpan> {
    await processor.forceFlush();
    const spans = exporter.getFinishedSpans().filter((span) => span.name === name);
    expect(spans).toHaveLength(1);
    return spans[0]!;
  }

  it('links every event of a batch and is the parent the run request hands to the runner', async () => {
    const trigger = compiled(engine, {
      id: 'crawl',
      eventTypes: ['com.github.push'],
      batch: { size: 3 },
    });
    const events = TRACEPARENTS.map((traceparent) => webhookEvent({ traceparent }));
    const request = runs.forBatch(trigger, events);

    const emit = await finished('create flint.runs');
    expect(emit.instrumentationScope.name).toBe(EVALUATOR_TRACER);
    expect(emit.kind).toBe(SpanKind.PRODUCER);
    expect(emit.links.map((link) => link.context.spanId)).toEqual(TRACEPARENTS.map(spanIdOf));
    expect(emit.links.map((link) => link.context.traceId)).toEqual(TRACEPARENTS.map(traceIdOf));
    expect(emit.attributes).toMatchObject({
      'messaging.operation.type': 'create',
      'messaging.destination.name': 'flint.runs',
      'flint.event_count': 3,
      'flint.trigger_id': 'crawl',
      'flint.fired_by': 'batch',
    });
    // It continues the first event's trace, as a single event's run does.
    expect(emit.spanContext().traceId).toBe(traceIdOf(TRACEPARENTS[0]!));
    expect(emit.parentSpanContext?.spanId).toBe(spanIdOf(TRACEPARENTS[0]!));
    expect(request.traceparent).toBe(
      `00-${emit.spanContext().traceId}-${emit.spanContext().spanId}-01`,
    );

    // What the runner does with the request (run-executor's startTraced): its span is the emit span's child.
    await inSpan(
      'flint-runner',
      'start local target',
      { parent: contextFromTraceparent(request.traceparent) },
      async () => undefined,
    );
    const runner = await finished('start local target');
    expect(runner.spanContext().traceId).toBe(emit.spanContext().traceId);
    expect(runner.parentSpanContext?.spanId).toBe(emit.spanContext().spanId);
  });

  it('links every member of a completed compound match', async () => {
    const trigger = compiled(engine, {
      id: 'ship',
      sources: [{ id: 'orders', provider: 'event', config: { types: ['com.example.order'] } }],
      eventTypes: ['com.example.paid'],
      logic: 'all',
      within: '10m',
      correlate: 'event.data.orderId',
    });
    const start = Date.parse('2026-01-02T03:00:00Z');
    const placed = webhookEvent({ type: 'com.example.order', traceparent: TRACEPARENTS[0] }, start);
    const paid = webhookEvent(
      { type: 'com.example.paid', traceparent: TRACEPARENTS[1] },
      start + 1000,
    );
    const members = new Map([
      ['com.example.paid', paid],
      ['orders', placed],
    ]);
    const request = runs.forCompound(trigger, members, paid);

    const emit = await finished('create flint.runs');
    expect(emit.links.map((link) => link.context.spanId).sort()).toEqual(
      TRACEPARENTS.slice(0, 2).map(spanIdOf).sort(),
    );
    // The earliest member's trace, the one the run inherits.
    expect(emit.parentSpanContext?.spanId).toBe(spanIdOf(TRACEPARENTS[0]!));
    expect(request.traceparent).toBe(
      `00-${emit.spanContext().traceId}-${emit.spanContext().spanId}-01`,
    );
  });

  it('leaves out members without a usable traceparent, and starts a trace when the first has none', async () => {
    const events = [
      webhookEvent(),
      webhookEvent({ traceparent: 'not-a-traceparent' }),
      webhookEvent({ traceparent: TRACEPARENTS[2] }),
    ];
    const traceparent = inMembersSpan(
      'flint.runs',
      { triggerId: 'crawl', by: 'batch' },
      events,
      (tp) => tp,
    );

    const emit = await finished('create flint.runs');
    expect(emit.links.map((link) => link.context.spanId)).toEqual([spanIdOf(TRACEPARENTS[2]!)]);
    expect(emit.parentSpanContext).toBeUndefined();
    expect(trace.isSpanContextValid(emit.spanContext())).toBe(true);
    expect(traceparent).toBe(`00-${emit.spanContext().traceId}-${emit.spanContext().spanId}-01`);
  });

  it('records a failure to build the run request on the span and passes it on', async () => {
    const events = [webhookEvent({ traceparent: TRACEPARENTS[0] })];
    expect(() =>
      inMembersSpan('flint.runs', { triggerId: 'crawl', by: 'batch' }, events, () => {
        throw new Error('input mapping failed: no such key');
      }),
    ).toThrow('input mapping failed: no such key');

    const emit = await finished('create flint.runs');
    expect(emit.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'input mapping failed: no such key',
    });
    expect(emit.events.map((event) => event.name)).toEqual(['exception']);
  });
});
