import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ConfigError } from './service-config';
import { createServiceLogger } from './service-logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

describe('createServiceLogger', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });

  afterAll(() => {
    context.disable();
  });

  it('writes JSON lines with the service, level name and message', () => {
    const out = capture();
    createServiceLogger('webhook', {}, out.stream).info({ sourceId: 'demo' }, 'event accepted');
    expect(out.lines()[0]).toMatchObject({
      service: 'webhook',
      level: 'info',
      message: 'event accepted',
      sourceId: 'demo',
    });
    expect(typeof out.lines()[0].time).toBe('string');
  });

  it('never writes credentials', () => {
    const out = capture();
    createServiceLogger('api', {}, out.stream).warn(
      {
        req: { headers: { authorization: 'Bearer hunter2', 'x-hub-signature-256': 'sha256=abc' } },
        target: { password: 'p4ss', token: 't0ken' },
      },
      'request refused',
    );
    const line = JSON.stringify(out.lines()[0]);
    for (const secret of ['hunter2', 'sha256=abc', 'p4ss', 't0ken']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('[redacted]');
  });

  it('adds trace_id and span_id inside a span', () => {
    const out = capture();
    const logger = createServiceLogger('evaluator', {}, out.stream);
    const tracer = new TracerProvider().getTracer('test');
    const span = tracer.startSpan('evaluate');
    const ids = span.spanContext();
    context.with(trace.setSpan(context.active(), span), () => logger.info('inside'));
    span.end();
    logger.info('outside');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId });
    expect(outside.trace_id).toBeUndefined();
  });

  it('honours FLINT_LOG_LEVEL and refuses an unknown level', () => {
    const out = capture();
    const logger = createServiceLogger('cron', { FLINT_LOG_LEVEL: 'warn' }, out.stream);
    logger.info('hidden');
    logger.warn('shown');
    expect(out.lines().map((l) => l.message)).toEqual(['shown']);
    expect(() => createServiceLogger('cron', { FLINT_LOG_LEVEL: 'loud' })).toThrow(ConfigError);
  });
});
