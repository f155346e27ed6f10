import {
  type Context,
  type ContextManager,
  ROOT_CONTEXT,
  type TextMapPropagator,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { CloudEvent } from '@flint/contracts';
import { decodeCloudEvent, encodeCloudEvent } from './cloud-event-binding';
import { activeTraceHeaders } from './trace-context';

/** Just enough of an OpenTelemetry SDK to make a span context active synchronously. */
class StackContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

const w3cPropagator: TextMapPropagator = {
  inject(ctx, carrier, setter) {
    const span = trace.getSpanContext(ctx);
    if (!span) return;
    setter.set(carrier, 'traceparent', `00-${span.traceId}-${span.spanId}-01`);
    setter.set(carrier, 'tracestate', 'vendor=value');
  },
  extract: (ctx) => ctx,
  fields: () => ['traceparent', 'tracestate'],
};

const span = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: 1,
};
const spanContext = trace.setSpanContext(ROOT_CONTEXT, span);

const event: CloudEvent = {
  specversion: '1.0',
  id: 'slot-2026-01-01T00:00:00Z',
  source: 'flint/cron/nightly',
  type: 'dev.flint.cron.tick',
  time: '2026-01-01T00:00:00.000Z',
  data: { scheduledFor: '2026-01-01T00:00:00Z' },
  flintsourceid: 'nightly',
  flintprovider: 'cron',
  flintacceptedat: '2026-01-01T00:00:00.050Z',
};

describe('trace context propagation', () => {
  it('adds nothing while no propagator is registered', () => {
    context.with(spanContext, () => {
      expect(activeTraceHeaders()).toEqual({});
      expect(encodeCloudEvent(event).headers).not.toHaveProperty('traceparent');
    });
  });

  describe('with a registered propagator', () => {
    beforeAll(() => {
      context.setGlobalContextManager(new StackContextManager());
      propagation.setGlobalPropagator(w3cPropagator);
    });
    afterAll(() => {
      propagation.disable();
      context.disable();
    });

    it('takes traceparent and tracestate from the active span', () => {
      const encoded = context.with(spanContext, () => encodeCloudEvent(event));
      expect(encoded.headers.traceparent).toBe(
        '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      );
      expect(encoded.headers.tracestate).toBe('vendor=value');
      const decoded = decodeCloudEvent(encoded);
      expect(decoded.traceparent).toBe(encoded.headers.traceparent);
    });

    it("prefers the event's own traceparent, the span that accepted it", () => {
      const own = '00-11111111111111111111111111111111-2222222222222222-01';
      const encoded = context.with(spanContext, () =>
        encodeCloudEvent({ ...event, traceparent: own }),
      );
      expect(encoded.headers.traceparent).toBe(own);
    });
  });
});
