import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';

/**
 * The standard `OTEL_*` trace settings Flint honours, read the way the OpenTelemetry SDK reads them:
 * which exporter (`OTEL_TRACES_EXPORTER`: `otlp`, `console`, `none`), the OTLP protocol (endpoint,
 * headers and timeout are read by the exporter itself), the batch processor's `OTEL_BSP_*` and the
 * sampler. OTLP exports only once an endpoint is configured, so nothing retries against a collector
 * that is not there.
 */
export function spanProcessorsFromEnv(env: NodeJS.ProcessEnv): SpanProcessor[] {
  const names = list(env.OTEL_TRACES_EXPORTER) ?? ['otlp'];
  if (names.includes('none')) return [];
  const processors: SpanProcessor[] = [];
  for (const name of new Set(names)) {
    if (name === 'console')
      processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
    else if (name === 'otlp' && otlpEndpointSet(env)) {
      processors.push(
        new BatchSpanProcessor({ exporter: otlpExporter(env), ...batchOptions(env) }),
      );
    } else if (name !== 'otlp') {
      throw new Error(
        `OTEL_TRACES_EXPORTER: unsupported exporter "${name}" (otlp, console or none)`,
      );
    }
  }
  return processors;
}

function otlpEndpointSet(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

function otlpExporter(env: NodeJS.ProcessEnv): SpanExporter {
  const protocol =
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  switch (protocol.trim()) {
    case 'http/protobuf':
      return new OtlpProtobufExporter();
    case 'http/json':
      return new OtlpJsonExporter();
    case 'grpc':
      return new OtlpGrpcExporter();
    default:
      throw new Error(
        `OTEL_EXPORTER_OTLP_PROTOCOL: unsupported protocol "${protocol}" (http/protobuf, http/json or grpc)`,
      );
  }
}

function batchOptions(env: NodeJS.ProcessEnv) {
  return {
    maxQueueSize: count(env, 'OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: count(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    scheduledDelayMillis: count(env, 'OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: count(env, 'OTEL_BSP_EXPORT_TIMEOUT'),
  };
}

/** The sampler `OTEL_TRACES_SAMPLER` (and `OTEL_TRACES_SAMPLER_ARG`) name; undefined: the default. */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler | undefined {
  const name = env.OTEL_TRACES_SAMPLER?.trim();
  if (!name) return undefined;
  const ratio = () => {
    const raw = env.OTEL_TRACES_SAMPLER_ARG;
    const value = raw === undefined || raw === '' ? 1 : Number(raw);
    if (!(value >= 0 && value <= 1)) {
      throw new Error(`OTEL_TRACES_SAMPLER_ARG: "${raw}" is not a ratio between 0 and 1`);
    }
    return new TraceIdRatioBasedSampler(value);
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio();
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio() });
    default:
      throw new Error(`OTEL_TRACES_SAMPLER: unsupported sampler "${name}"`);
  }
}

function list(value: string | undefined): string[] | undefined {
  const names = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names.length > 0 ? names : undefined;
}

function count(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name}: "${raw}" is not a non-negative whole number`);
  }
  return value;
}
