import { Logger } from '@nestjs/common';
import { exitOnSignal } from '@flint/service-kit';
import { startTelemetry } from '@flint/telemetry';
import { applyExamples, consoleLoginLink, providersNotReady, startLocalStack } from './local-stack';

const logger = new Logger('flint');

async function main(): Promise<void> {
  const telemetry = startTelemetry({ serviceName: 'flint-local' });
  const stack = await startLocalStack(process.env, logger);
  exitOnSignal(() => stack.stop().then(() => telemetry.shutdown()), 30000, logger);
  await applyExamples(stack, process.env.FLINT_EXAMPLES_DIR ?? 'examples', logger);
  const notReady = await providersNotReady(stack, 60_000);
  if (notReady.length > 0) {
    logger.warn(`still starting after 60 s: ${notReady.join(', ')}; their /health says why`);
  }
  const webhook = stack.services.get('webhook')?.url;
  const api = stack.services.get('api')?.url;
  logger.log(
    [
      'Flint is up.',
      `  Console:        ${consoleLoginLink(stack)}`,
      '                  (signs you in once, within 15 minutes; afterwards sign in with the admin key)',
      `  Send an event:  curl -X POST ${webhook}/hooks/demo -H 'content-type: application/json' -d '{"hello":"world"}'`,
      `  API:            ${api}/api (admin key in ${process.env.FLINT_ADMIN_API_KEY ? 'FLINT_ADMIN_API_KEY' : '.flint/local/admin-api-key'})`,
      `  Health:         ${[...stack.services.values()].map((s) => `${s.url}/health`).join(' ')}`,
      '  Stop:           Ctrl-C',
    ].join('\n'),
  );
}

main().catch((err: unknown) => {
  logger.error(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
