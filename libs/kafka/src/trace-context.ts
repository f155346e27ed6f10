import { context, propagation } from '@opentelemetry/api';

export interface TraceHeaders {
  traceparent?: string;
  tracestate?: string;
}

/**
 * The W3C trace context of the active OpenTelemetry span. Empty when no propagator is registered
 * (telemetry off) or no span is active, so callers need not know whether tracing is set up.
 */
export function activeTraceHeaders(): TraceHeaders {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const headers: TraceHeaders = {};
  if (carrier.traceparent) headers.traceparent = carrier.traceparent;
  if (carrier.tracestate) headers.tracestate = carrier.tracestate;
  return headers;
}
