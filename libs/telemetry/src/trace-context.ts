import {
  type Context,
  type Link,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';

/**
 * The context a W3C `traceparent` header describes, or one with no span when there is none. It keeps
 * the rest of the active context (which service's work this is, `asService`), only not its span.
 */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  const withoutSpan = trace.deleteSpan(context.active());
  if (!traceparent) return withoutSpan;
  return propagation.extract(withoutSpan, { traceparent });
}

/**
 * A link to the span a W3C `traceparent` names, for a span that gathers several traces (a batch, a
 * compound match); undefined when the header is missing or malformed, so one bad event does not
 * cost the others their links.
 */
export function linkFromTraceparent(traceparent: string | undefined): Link | undefined {
  const spanContext = trace.getSpanContext(contextFromTraceparent(traceparent));
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { context: spanContext };
}

/** The W3C `traceparent` of a span, for messages and requests that continue its trace. */
export function traceparentOf(span: Span): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier.traceparent;
}

/**
 * Runs `work` inside a new span, ending it when `work` settles and recording a thrown error on it.
 * The span is the active one inside `work`, so logs and produced messages carry its trace id.
 */
export async function inSpan<T>(
  tracerName: string,
  name: string,
  options: SpanOptions & { parent?: Context },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const tracer = trace.getTracer(tracerName);
  const parent = options.parent ?? context.active();
  return tracer.startActiveSpan(name, options, parent, (span) => ending(span, () => work(span)));
}

/**
 * Runs `work` as the work of `span`, which it ends when `work` returns or settles (a promise),
 * recording a thrown or rejected error on it first.
 */
export function ending<T>(span: Span, work: () => T): T {
  const fail = (err: unknown): never => {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    span.end();
    throw err;
  };
  let result: T;
  try {
    result = work();
  } catch (err) {
    return fail(err);
  }
  if (!(result instanceof Promise)) {
    span.end();
    return result;
  }
  return result.then((value: unknown) => {
    span.end();
    return value;
  }, fail) as T;
}

/** Trace and span id of the active span, for log lines; empty outside any span. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  if (!ids || !trace.isSpanContextValid(ids)) return {};
  return { trace_id: ids.traceId, span_id: ids.spanId };
}
