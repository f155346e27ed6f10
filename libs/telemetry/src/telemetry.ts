import { createRequire } from 'node:module';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  defaultResource,
  detectResources,
  hostDetector,
  osDetector,
  processDetector,
  resourceAttributesEnvDetector,
  serviceInstanceIdDetector,
} from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { samplerFromEnv, spanProcessorsFromEnv } from './span-processors-from-env';
import { ServiceTracerProvider } from './service-tracer-provider';

export interface TelemetryOptions {
  /**
   * `service.name` of the spans this process starts outside any service's work (`asService`), e.g.
   * `flint-webhook` for a deployed service, `flint-local` for the one-process local stack.
   * `OTEL_SERVICE_NAME` replaces it.
   */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /** Replaces the exporters the environment asks for; tests use it to collect spans in memory. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** Whether spans leave the process (an exporter is configured). */
  readonly exporting: boolean;
  /** Exports the spans that have ended so far. */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Starts tracing for this process: W3C trace context and baggage propagation, async context, one
 * tracer provider per service (see `ServiceTracerProvider`), and the maintained instrumentations of
 * the libraries whose calls belong in a trace — PostgreSQL queries (`pg`) and outgoing HTTP (`fetch`,
 * undici), each only inside a span already started, so background polling does not fill the traces.
 * With no exporter configured spans are still created, so trace ids reach the logs, run records and
 * `traceparent` headers, but nothing is exported. Metrics stay with prom-client (`/metrics`), logs with
 * pino (stdout).
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED === 'true') {
    return { exporting: false, forceFlush: async () => undefined, shutdown: async () => undefined };
  }
  const spanProcessors = options.spanProcessors ?? spanProcessorsFromEnv(env);
  const sampler = samplerFromEnv(env);
  const tracerProvider = new ServiceTracerProvider({
    defaultService: env.OTEL_SERVICE_NAME || options.serviceName,
    resource: defaultResource().merge(
      detectResources({
        detectors: [
          hostDetector,
          osDetector,
          processDetector,
          serviceInstanceIdDetector,
          resourceAttributesEnvDetector,
        ],
      }),
    ),
    spanProcessors,
    ...(sampler ? { sampler } : {}),
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  trace.setGlobalTracerProvider(tracerProvider);
  const unregister = registerInstrumentations({
    instrumentations: [
      new PgInstrumentation({ requireParentSpan: true }),
      new UndiciInstrumentation({ requireParentforSpans: true }),
    ],
  });
  patchLoadedModules();
  let stopped: Promise<void> | undefined;
  return {
    exporting: spanProcessors.length > 0,
    async forceFlush() {
      await Promise.all(spanProcessors.map((processor) => processor.forceFlush()));
    },
    shutdown() {
      stopped ??= (async () => {
        unregister();
        await Promise.all(spanProcessors.map((processor) => processor.shutdown()));
        trace.disable();
        propagation.disable();
        context.disable();
      })();
      return stopped;
    },
  };
}

/**
 * The store imports `pg` before a service's `main` can start tracing. An instrumentation patches a
 * module when it is required after the instrumentation is enabled; requiring `pg` once more lets it
 * patch the already loaded module's prototypes in place, which every existing import shares.
 */
function patchLoadedModules(): void {
  createRequire(__filename)('pg');
}
