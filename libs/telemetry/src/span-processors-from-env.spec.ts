import {
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace';
import { samplerFromEnv, spanProcessorsFromEnv } from './span-processors-from-env';

describe('span processors from the OTEL_* environment', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  it('exports over OTLP only once an endpoint is set, and never with OTEL_TRACES_EXPORTER=none', async () => {
    expect(spanProcessorsFromEnv({})).toEqual([]);
    const [otlp] = spanProcessorsFromEnv(endpoint);
    expect(otlp).toBeInstanceOf(BatchSpanProcessor);
    await otlp.shutdown();
    expect(spanProcessorsFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toEqual([]);
    expect(spanProcessorsFromEnv({ OTEL_TRACES_EXPORTER: 'console' })[0]).toBeInstanceOf(
      SimpleSpanProcessor,
    );
  });

  it('accepts each OTLP protocol and names the variable of a bad setting', async () => {
    for (const protocol of ['http/protobuf', 'http/json', 'grpc']) {
      const processors = spanProcessorsFromEnv({
        ...endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      });
      expect(processors).toHaveLength(1);
      await processors[0].shutdown();
    }
    expect(() =>
      spanProcessorsFromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'carrier-pigeon' }),
    ).toThrow('OTEL_EXPORTER_OTLP_PROTOCOL: unsupported protocol "carrier-pigeon"');
    expect(() => spanProcessorsFromEnv({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(
      'OTEL_TRACES_EXPORTER: unsupported exporter "zipkin"',
    );
    expect(() => spanProcessorsFromEnv({ ...endpoint, OTEL_BSP_SCHEDULE_DELAY: 'soon' })).toThrow(
      'OTEL_BSP_SCHEDULE_DELAY: "soon" is not a non-negative whole number',
    );
  });

  it('builds the sampler OTEL_TRACES_SAMPLER names', () => {
    expect(samplerFromEnv({})).toBeUndefined();
    expect(
      samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25' }),
    ).toBeInstanceOf(TraceIdRatioBasedSampler);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' })).toBeInstanceOf(
      ParentBasedSampler,
    );
    expect(() =>
      samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' }),
    ).toThrow('OTEL_TRACES_SAMPLER_ARG: "2" is not a ratio between 0 and 1');
    expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(
      'OTEL_TRACES_SAMPLER: unsupported sampler "sometimes"',
    );
  });
});
