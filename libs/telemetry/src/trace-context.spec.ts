import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTelemetry, type Telemetry } from './telemetry';
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { ending, linkFromTraceparent } from './trace-context';

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

describe('ending', () => {
  function recordingSpan() {
    const calls: string[] = [];
    const span = {
      recordException: (err: Error) => calls.push(`exception ${err.message}`),
      setStatus: (status: { code: number; message?: string }) =>
        calls.push(`status ${status.code} ${status.message}`),
      end: () => calls.push('end'),
    } as unknown as Span;
    return { span, calls };
  }

  it('ends the span after work that returns, and records work that throws before ending it', () => {
    const ok = recordingSpan();
    expect(ending(ok.span, () => 42)).toBe(42);
    expect(ok.calls).toEqual(['end']);

    const failed = recordingSpan();
    expect(() =>
      ending(failed.span, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(failed.calls).toEqual(['exception boom', `status ${SpanStatusCode.ERROR} boom`, 'end']);
  });

  it('ends the span once a promise settles, recording a rejection', async () => {
    const ok = recordingSpan();
    const resolved = ending(ok.span, async () => 'done');
    expect(ok.calls).toEqual([]);
    await expect(resolved).resolves.toBe('done');
    expect(ok.calls).toEqual(['end']);

    const failed = recordingSpan();
    await expect(
      ending(failed.span, async () => Promise.reject(new Error('late'))),
    ).rejects.toThrow('late');
    expect(failed.calls).toEqual(['exception late', `status ${SpanStatusCode.ERROR} late`, 'end']);
  });
});
