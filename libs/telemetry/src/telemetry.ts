import { NodeSDK } from '@opentelemetry/sdk-node';
import { NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TelemetryOptions {
  /** `service.name` of every span this process exports, e.g. `flint-webhook`. */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /** Replaces the exporters the environment asks for; tests use it to collect spans in memory. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** Whether spans leave the process (an OTLP endpoint is configured). */
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

const OTLP_ENDPOINT_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
];

/**
 * Starts the OpenTelemetry SDK for this process. Exporters follow the standard `OTEL_*` variables
 * (endpoint, `OTEL_EXPORTER_OTLP_PROTOCOL` http/json, http/protobuf or grpc, headers, sampler). With no
 * endpoint configured spans are still created, so trace ids reach the logs, run records and the
 * `traceparent` headers, but nothing is exported — and nothing retries against a collector that is
 * not there. Metrics stay with prom-client (`/metrics`), logs with pino (stdout).
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  if (env.OTEL_SDK_DISABLED === 'true')
    return { exporting: false, shutdown: async () => undefined };
  const exporting =
    options.spanProcessors !== undefined ||
    (OTLP_ENDPOINT_VARIABLES.some((name) => Boolean(env[name])) &&
      env.OTEL_TRACES_EXPORTER !== 'none');
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ?? options.serviceName,
    autoDetectResources: true,
    instrumentations: [],
    metricReaders: [],
    logRecordProcessors: [],
    spanProcessors: options.spanProcessors ?? (exporting ? undefined : [new NoopSpanProcessor()]),
  });
  sdk.start();
  return { exporting, shutdown: () => sdk.shutdown() };
}
