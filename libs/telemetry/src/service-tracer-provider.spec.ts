import { ROOT_CONTEXT, context, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { emptyResource } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace';
import { asService } from './service-context';
import { ServiceTracerProvider } from './service-tracer-provider';
import { startTelemetry, type Telemetry } from './telemetry';
import { contextFromTraceparent, inSpan } from './trace-context';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('one tracer provider per service in one process', () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;

  beforeAll(() => {
    telemetry = startTelemetry({
      serviceName: 'flint-local',
      env: {},
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
  });

  afterAll(() => telemetry.shutdown());

  beforeEach(() => exporter.reset());

  async function finished(): Promise<ReadableSpan[]> {
    await telemetry.forceFlush();
    return exporter.getFinishedSpans();
  }
  const serviceName = (span: ReadableSpan) => span.resource.attributes['service.name'];

  it("gives each service's spans its own service.name, including work it set going earlier", async () => {
    const later: Array<Promise<void>> = [];
    for (const service of ['flint-webhook', 'flint-evaluator']) {
      asService(service, () => {
        // A loop or timer the service sets going while it boots does its work later.
        later.push(
          new Promise((resolve) =>
            setTimeout(
              () => void inSpan('any-tracer', `${service} loop`, {}, async () => resolve()),
              20,
            ),
          ),
        );
      });
    }
    await inSpan('any-tracer', 'outside', {}, async () => undefined);
    await Promise.all(later);

    const spans = await finished();
    expect(Object.fromEntries(spans.map((s) => [s.name, serviceName(s)]))).toEqual({
      'flint-webhook loop': 'flint-webhook',
      'flint-evaluator loop': 'flint-evaluator',
      outside: 'flint-local',
    });
  });

  it('keeps the service across a remote parent and down to the spans of libraries', async () => {
    await asService('flint-runner', () =>
      inSpan(
        'flint-runner',
        'consume',
        { kind: SpanKind.CONSUMER, parent: contextFromTraceparent(TRACEPARENT) },
        async () => {
          // What an instrumentation (pg, undici) does: its own tracer, the active context.
          trace.getTracer('@opentelemetry/instrumentation-undici').startSpan('POST').end();
        },
      ),
    );
    const spans = await finished();
    const consume = spans.find((s) => s.name === 'consume')!;
    const library = spans.find((s) => s.name === 'POST')!;
    expect(serviceName(consume)).toBe('flint-runner');
    expect(consume.spanContext().traceId).toBe(TRACEPARENT.split('-')[1]);
    expect(serviceName(library)).toBe('flint-runner');
    expect(library.parentSpanContext?.spanId).toBe(consume.spanContext().spanId);
    expect(library.instrumentationScope.name).toBe('@opentelemetry/instrumentation-undici');
  });

  it('starts an active span with the parent it is given', async () => {
    const parent = contextFromTraceparent(TRACEPARENT);
    const active = trace.getTracer('t').startActiveSpan('child', {}, parent, (span) => {
      const inside = trace.getSpan(context.active());
      span.end();
      return inside === span;
    });
    expect(active).toBe(true);
    const [child] = await finished();
    expect(child.parentSpanContext?.spanId).toBe(TRACEPARENT.split('-')[2]);
  });
});

describe('spans when no exporter is configured', () => {
  const provider = (sampler?: AlwaysOffSampler) =>
    new ServiceTracerProvider({
      defaultService: 'flint-webhook',
      resource: emptyResource(),
      spanProcessors: [],
      ...(sampler ? { sampler } : {}),
    });
  const [, traceId, parentSpanId] = TRACEPARENT.split('-');
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: parentSpanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });

  it('records nothing but still gives each span its ids, continuing the trace it is in', () => {
    const tracer = provider().getTracer('flint-webhook');
    const child = tracer.startSpan('POST /hooks/*', { kind: SpanKind.SERVER }, remote);
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext()).toMatchObject({ traceId, traceFlags: TraceFlags.SAMPLED });
    expect(child.spanContext().spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanContext().spanId).not.toBe(parentSpanId);

    const root = tracer.startSpan('tick', {}, ROOT_CONTEXT);
    expect(trace.isSpanContextValid(root.spanContext())).toBe(true);
    expect(root.spanContext().traceId).not.toBe(traceId);
    expect(root.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
  });

  it('keeps the sampling decision of the configured sampler', () => {
    const span = provider(new AlwaysOffSampler()).getTracer('t').startSpan('tick', {}, remote);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
  });
});
