import { Writable } from 'node:stream';
import { NestLogger } from './nest-logger';
import { createServiceLogger } from './service-logger';

describe('NestLogger', () => {
  function nestLogger(level = 'debug') {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const logger = createServiceLogger('evaluator', { FLINT_LOG_LEVEL: level }, stream);
    return { nest: new NestLogger(logger), lines };
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
});
