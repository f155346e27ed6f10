import { createServiceLogger, exitOnSignal } from '@flint/service-kit';
import { storeConfigFromEnv } from '@flint/store';
import { startTelemetry } from '@flint/telemetry';
import { upBanner } from './banner';
import { createEmbeddedDatabaseApart } from './embedded-database';
import { applyExamples, consoleLoginLink, providersNotReady, startLocalStack } from './local-stack';

async function main(): Promise<void> {
  const env = process.env;
  const telemetry = startTelemetry({ serviceName: 'flint-local' });
  // The stack's own messages in the same format as its services' (FLINT_LOG_FORMAT, else by terminal).
  const pinoLogger = createServiceLogger('flint', env);
  const logger = {
    log: (message: string) => pinoLogger.info(message),
    warn: (message: string) => pinoLogger.warn(message),
    error: (message: string) => pinoLogger.error(message),
  };
  try {
    await createEmbeddedDatabaseApart(storeConfigFromEnv(env), env);
    const stack = await startLocalStack(env, logger);
    exitOnSignal(() => stack.stop().then(() => telemetry.shutdown()), 30000, logger);
    await applyExamples(stack, env.FLINT_EXAMPLES_DIR ?? 'examples', logger);
    const notReady = await providersNotReady(stack, 60_000);
    if (notReady.length > 0) {
      logger.warn(`still starting after 60 s: ${notReady.join(', ')}; their /health says why`);
    }
    process.stdout.write(
      upBanner({
        consoleLink: consoleLoginLink(stack),
        webhookUrl: stack.services.get('webhook')?.url,
        apiUrl: stack.services.get('api')?.url,
        adminKeyFrom: env.FLINT_ADMIN_API_KEY
          ? 'FLINT_ADMIN_API_KEY'
          : '.flint/local/admin-api-key',
        healthUrls: [...stack.services.values()].map((s) => `${s.url}/health`),
      }),
    );
  } catch (err) {
    logger.error(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

void main();
