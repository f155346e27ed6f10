import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@flint/contracts';
import { Logger } from '@nestjs/common';
import { type RunningService, type StartServiceOptions, startService } from '@flint/service-kit';
import { type Store, generateSecretKeyRing, openStore, storeConfigFromEnv } from '@flint/store';
import { FlintApiClient } from '../../cli/src/api-client';
import { LOCAL_ADMIN_KEY_FILE } from '../../cli/src/cli';
import { formatProblem, loadDefinitionFiles } from '../../cli/src/definition-files';
import { definitionReferences } from '../../cli/src/definition-references';
import { ConsoleLoginLinks } from '../../api/src/console/console-login';
import { CONSOLE_CONFIG, type ConsoleConfig } from '../../api/src/console/console.constants';
import { SERVICE_MODULES } from './service-modules';

export interface LocalStack {
  services: Map<ServiceName, RunningService>;
  adminKey: string;
  stop(): Promise<void>;
}

/**
 * Every registered service in one process around one store. The embedded database (PGlite) accepts a single
 * connection and its multiplexing would interleave transactions, so sharing one in-process instance,
 * whose store serializes transactions, is the only safe way for several services to use it.
 */
export async function startLocalStack(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  options: Pick<StartServiceOptions, 'logDestination'> = {},
): Promise<LocalStack> {
  const adminKey = env.FLINT_ADMIN_API_KEY ?? (await localAdminKey());
  const secretsKeys = env.FLINT_SECRETS_KEYS || (await localSecretsKeys());
  const signingKey = env.KAFKA_EVENT_SIGNING_KEY || (await localEventSigningKey());
  const serviceEnv = {
    ...env,
    FLINT_ADMIN_API_KEY: adminKey,
    FLINT_SECRETS_KEYS: secretsKeys,
    KAFKA_EVENT_SIGNING_KEY: signingKey,
  };
  const store: Store = await openStore(storeConfigFromEnv(serviceEnv));
  const services = new Map<ServiceName, RunningService>();
  const stop = async () => {
    for (const running of [...services.values()].reverse()) await running.stop();
    await store.close();
  };
  try {
    for (const name of SERVICE_NAMES) {
      const buildModule = (SERVICE_MODULES as Partial<typeof SERVICE_MODULES>)[name];
      if (buildModule === undefined) {
        throw new Error(
          `service ${name} is registered (SERVICES, libs/contracts) but the local stack has no module for it; add it to apps/local-stack/src/service-modules.ts`,
        );
      }
      const running = await startService(name, buildModule, {
        env: serviceEnv,
        store,
        handleSignals: false,
        ...options,
      });
      services.set(name, running);
      logger.log(`${name} listening on ${running.url}`);
    }
  } catch (err) {
    await stop();
    throw err;
  }
  showWebhookUrlInConsole(services);
  return { services, adminKey, stop };
}

/**
 * The console shows each webhook source's URL. In one process the webhook's address is known only
 * once it listens (its port may be chosen by the OS), after the api has started; unless
 * FLINT_WEBHOOK_PUBLIC_URL says otherwise, the console is told that address.
 */
function showWebhookUrlInConsole(services: Map<ServiceName, RunningService>): void {
  const api = services.get('api');
  const webhook = services.get('webhook');
  if (!api || !webhook) return;
  api.app.get<symbol, ConsoleConfig>(CONSOLE_CONFIG).settings.webhookBaseUrl ??= webhook.url;
}

/**
 * A link that signs the browser into the console as the local admin, once, within 15 minutes. The
 * token rides in the URL fragment, which browsers never send to a server; the key itself never
 * appears in the link (see `ConsoleLoginLinks`).
 */
export function consoleLoginLink(stack: LocalStack): string {
  const api = stack.services.get('api');
  if (!api) throw new Error('the api service is not running');
  const token = api.app.get(ConsoleLoginLinks).issue(stack.adminKey);
  return `${api.url}/#login=${token}`;
}

/** Applies the example definitions through the API, the same path `flint apply` takes. */
export async function applyExamples(
  stack: LocalStack,
  folder: string,
  logger: Logger,
): Promise<void> {
  const api = stack.services.get('api');
  if (!api) throw new Error('the api service is not running');
  const client = new FlintApiClient(api.url, stack.adminKey);
  const loaded = await loadDefinitionFiles([folder], await definitionReferences(client));
  if (loaded.problems.length > 0) {
    throw new Error(
      `invalid example definitions:\n${loaded.problems.map(formatProblem).join('\n')}`,
    );
  }
  const results = await client.applyDefinitions(loaded.definitions.map((d) => d.definition));
  for (const r of results)
    logger.log(`example ${r.kind} ${r.id}: ${r.action} (version ${r.version})`);
}

/** The key ring the local stack encrypts secrets with when FLINT_SECRETS_KEYS is unset. */
export const LOCAL_SECRETS_KEYS_FILE = '.flint/local/secrets-keys';

async function localAdminKey(): Promise<string> {
  return localValue(
    LOCAL_ADMIN_KEY_FILE,
    () => `flint_local_${randomBytes(24).toString('base64url')}`,
  );
}

/** Kept across restarts: a new key ring would leave the stored secrets undecryptable. */
async function localSecretsKeys(): Promise<string> {
  return localValue(LOCAL_SECRETS_KEYS_FILE, () => generateSecretKeyRing('local1'));
}

/** The key the local services sign their events with when KAFKA_EVENT_SIGNING_KEY is unset. */
export const LOCAL_EVENT_SIGNING_KEY_FILE = '.flint/local/event-signing-key';

/** Kept across restarts, so events a stopped stack left in Kafka still count as Flint's. */
async function localEventSigningKey(): Promise<string> {
  return localValue(LOCAL_EVENT_SIGNING_KEY_FILE, () => randomBytes(32).toString('base64'));
}

/** The value in `file`, or a generated one written there, readable by the owner only. */
async function localValue(file: string, generate: () => string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const value = generate();
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${value}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return value;
}
