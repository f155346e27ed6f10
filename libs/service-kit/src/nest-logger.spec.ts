import { Writable } from 'node:stream';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context } from '@opentelemetry/api';
import { asService } from '@flint/telemetry';
import { NestLogger } from './nest-logger';
import { createServiceLogger } from './service-logger';

describe('NestLogger', () => {
  function nestLogger(level = 'debug', service = 'evaluator', traceName?: string) {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const logger = createServiceLogger(service, { FLINT_LOG_LEVEL: level }, stream);
    return { nest: new NestLogger(logger, traceName), lines };
  }

  it("writes Nest's messages as the service's own entries, with Nest's context", () => {
    const { nest, lines } = nestLogger();
    nest.warn('consumer rebalancing', 'ServerKafka');
    nest.error('boom', 'Error: boom\n    at x', 'ExceptionHandler');
    expect(lines).toEqual([
      expect.objectContaining({
        service: 'evaluator',
        level: 'warn',
        context: 'ServerKafka',
        message: 'consumer rebalancing',
      }),
      expect.objectContaining({
        level: 'error',
        context: 'ExceptionHandler',
        message: 'boom',
        stack: 'Error: boom\n    at x',
      }),
    ]);
  });

  it("keeps Nest's start-up chatter at debug, out of the default info level", () => {
    const { nest, lines } = nestLogger('info');
    nest.log('Mapped {/health, GET} route', 'RouterExplorer');
    nest.log('EvaluatorModule dependencies initialized', 'InstanceLoader');
    nest.log('the feed caught up', 'Evaluator');
    expect(lines.map((l) => l.message)).toEqual(['the feed caught up']);
  });

  it('writes a message under the service whose work runs, though Nest has one logger per process', () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    const webhook = nestLogger('debug', 'webhook', 'flint-webhook');
    // The local stack starts the api after it: Nest now writes every app's messages through this one.
    const api = nestLogger('debug', 'api', 'flint-api');
    try {
      asService('flint-webhook', () => api.nest.warn('a webhook app message', 'ExceptionsHandler'));
      api.nest.warn('a message outside any service', 'NestApplication');
      expect(webhook.lines).toEqual([
        expect.objectContaining({ service: 'webhook', message: 'a webhook app message' }),
      ]);
      expect(api.lines).toEqual([
        expect.objectContaining({ service: 'api', message: 'a message outside any service' }),
      ]);
      webhook.nest.release();
      asService('flint-webhook', () => api.nest.warn('after the webhook stopped', 'X'));
      expect(api.lines).toHaveLength(2);
    } finally {
      webhook.nest.release();
      api.nest.release();
      context.disable();
    }
  });
});
