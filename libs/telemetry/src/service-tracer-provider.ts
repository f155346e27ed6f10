import {
  type Context,
  INVALID_SPAN_CONTEXT,
  SamplingDecision,
  type Span,
  SpanKind,
  type SpanOptions,
  TraceFlags,
  type Tracer,
  type TracerOptions,
  type TracerProvider,
  context,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  ParentBasedSampler,
  RandomIdGenerator,
  type Sampler,
  type SpanProcessor,
  TracerProvider as SdkTracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { serviceOf } from './service-context';

export interface ServiceTracerProviderOptions {
  /** `service.name` of spans started outside any `asService` (the process's own). */
  defaultService: string;
  /** Everything but `service.name`: host, process, `OTEL_RESOURCE_ATTRIBUTES`. */
  resource: Resource;
  /** Shared by every service, so one exporter sends all services' spans, grouped by resource. */
  spanProcessors: SpanProcessor[];
  sampler?: Sampler;
}

/**
 * One SDK tracer provider per service, each with its own `service.name`, behind the one global
 * provider: a span goes to the provider of the service whose work is running (`asService`), so the
 * one-process local stack exports the same services a deployment does. Libraries' instrumentations
 * (pg, undici) get the right service the same way, without knowing about it.
 */
export class ServiceTracerProvider implements TracerProvider {
  private readonly providers = new Map<string, SdkTracerProvider>();
  private readonly propagating: PropagatingTracer | undefined;

  constructor(private readonly options: ServiceTracerProviderOptions) {
    if (options.spanProcessors.length === 0) {
      this.propagating = new PropagatingTracer(
        options.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
      );
    }
  }

  getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
    if (this.propagating) return this.propagating;
    return new ServiceTracer((serviceName) =>
      this.providerOf(serviceName).getTracer(name, version, options),
    );
  }

  private providerOf(serviceName: string | undefined): SdkTracerProvider {
    const name = serviceName ?? this.options.defaultService;
    let provider = this.providers.get(name);
    if (provider === undefined) {
      provider = new SdkTracerProvider({
        resource: this.options.resource.merge(
          resourceFromAttributes({ [ATTR_SERVICE_NAME]: name }),
        ),
        spanProcessors: this.options.spanProcessors,
        ...(this.options.sampler ? { sampler: this.options.sampler } : {}),
      });
      this.providers.set(name, provider);
    }
    return provider;
  }
}

/** `startActiveSpan` in its three forms, on top of a tracer's own `startSpan`. */
abstract class ActiveSpanTracer implements Tracer {
  abstract startSpan(name: string, options?: SpanOptions, ctx?: Context): Span;

  startActiveSpan<F extends (span: Span) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    options: SpanOptions,
    ctx: Context,
    fn: F,
  ): ReturnType<F>;
  startActiveSpan<F extends (span: Span) => unknown>(
    name: string,
    ...args: [F] | [SpanOptions, F] | [SpanOptions, Context, F]
  ): ReturnType<F> {
    const fn = args[args.length - 1] as F;
    const options = args.length > 1 ? (args[0] as SpanOptions) : {};
    const parent = args.length > 2 ? (args[1] as Context) : context.active();
    const span = this.startSpan(name, options, parent);
    return context.with(trace.setSpan(parent, span), () => fn(span) as ReturnType<F>);
  }
}

/** A tracer that picks its service's tracer at each span, from the context the span starts in. */
class ServiceTracer extends ActiveSpanTracer {
  constructor(private readonly tracerOf: (serviceName: string | undefined) => Tracer) {
    super();
  }

  startSpan(name: string, options?: SpanOptions, ctx: Context = context.active()): Span {
    return this.tracerOf(serviceOf(ctx)).startSpan(name, options, ctx);
  }
}

/**
 * The tracer when no span leaves the process (no exporter): what a span is then good for is its ids,
 * which reach events' `traceparent`, log lines and run records, so this one only gives each span
 * its ids and sampling flag, as the SDK would, and records nothing. Recording spans nobody reads
 * (two per webhook call: attributes, times, resource) was a share of the webhook's CPU per event
 * (issue 20).
 */
class PropagatingTracer extends ActiveSpanTracer {
  private readonly ids = new RandomIdGenerator();

  constructor(private readonly sampler: Sampler) {
    super();
  }

  startSpan(name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span {
    const from = options.root ? trace.deleteSpan(ctx) : ctx;
    if (isTracingSuppressed(from)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const parent = trace.getSpanContext(from);
    const continues = parent !== undefined && trace.isSpanContextValid(parent);
    const traceId = continues ? parent.traceId : this.ids.generateTraceId();
    const sampling = this.sampler.shouldSample(
      from,
      traceId,
      name,
      options.kind ?? SpanKind.INTERNAL,
      options.attributes ?? {},
      options.links ?? [],
    );
    return trace.wrapSpanContext({
      traceId,
      spanId: this.ids.generateSpanId(),
      traceFlags:
        sampling.decision === SamplingDecision.RECORD_AND_SAMPLED
          ? TraceFlags.SAMPLED
          : TraceFlags.NONE,
      traceState: sampling.traceState ?? (continues ? parent.traceState : undefined),
    });
  }
}
