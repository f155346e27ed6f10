import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTelemetry, type Telemetry } from './telemetry';
import { linkFromTraceparent } from './trace-context';

describe('linkFromTraceparent', () => {
  let telemetry: Telemetry;

  beforeAll(() => {
    // The SDK registers the W3C propagator that reads the header.
    telemetry = startTelemetry({
      serviceName: 'flint-telemetry-spec',
      env: {},
      spanProcessors: [new NoopSpanProcessor()],
    });
  });

  afterAll(() => telemetry.shutdown());

  it('links the span a traceparent names', () => {
    expect(linkFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      context: expect.objectContaining({
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
        isRemote: true,
      }),
    });
  });

  it.each([
    ['no traceparent', undefined],
    ['an empty traceparent', ''],
    ['a malformed traceparent', 'not-a-traceparent'],
    ['all-zero ids', '00-00000000000000000000000000000000-0000000000000000-01'],
  ])('gives no link for %s', (_, traceparent) => {
    expect(linkFromTraceparent(traceparent)).toBeUndefined();
  });
});
