import { Writable } from 'node:stream';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ConfigError } from './service-config';
import { createServiceLogger, logFormat } from './service-logger';

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

describe('logFormat', () => {
  const terminal = { toStdout: true, stdoutIsTty: true };

  it('is pretty for a person at a terminal and JSON for a pipe, a container or another stream', () => {
    expect(logFormat({}, terminal)).toBe('pretty');
    expect(logFormat({}, { toStdout: true, stdoutIsTty: false })).toBe('json');
    expect(logFormat({}, { toStdout: false, stdoutIsTty: true })).toBe('json');
  });

  it('follows FLINT_LOG_FORMAT whatever the output, and names a bad value', () => {
    expect(logFormat({ FLINT_LOG_FORMAT: 'json' }, terminal)).toBe('json');
    expect(logFormat({ FLINT_LOG_FORMAT: 'pretty' }, { toStdout: true, stdoutIsTty: false })).toBe(
      'pretty',
    );
    expect(() => logFormat({ FLINT_LOG_FORMAT: 'colourful' }, terminal)).toThrow(ConfigError);
    expect(() => logFormat({ FLINT_LOG_FORMAT: 'colourful' }, terminal)).toThrow(
      /FLINT_LOG_FORMAT/,
    );
  });

  it('writes one readable line per entry in the pretty format, fields below it, secrets redacted', () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    });
    const logger = createServiceLogger('evaluator', { FLINT_LOG_FORMAT: 'pretty' }, stream);
    logger.child({ component: 'kafka' }).warn({ broker: 'b:9092', token: 's3cret' }, 'slow broker');
    const text = chunks.join('');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: evaluator\/kafka: slow broker\n/);
    expect(text).toContain('broker: "b:9092"');
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('{"');
  });
});
