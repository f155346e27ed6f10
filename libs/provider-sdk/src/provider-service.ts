import { type Clock, keepTrying, type Log } from '@flint/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  type KindOfService,
  kindsRunBy,
  type ProviderServiceName,
  type RunnableKind,
  type ServiceName,
  serviceFolder,
} from '@flint/contracts';
import { DefinitionFeed, EventProducer, provisionTopics } from '@flint/kafka';
import { type ServiceRuntime, serviceLog } from '@flint/service-kit';
import type { SourceProviderImpl } from './provider';
import { ProviderRuntime } from './provider-runtime';
import { providerSecrets, type SecretResolver } from './secrets';
import type { SourceStatus } from './source-loop';

/** What a provider service runs: an implementation of each kind the registry assigns to it. */
export type SourceKindImplementations<S extends ProviderServiceName> = {
  readonly [K in KindOfService<S> & RunnableKind]: SourceProviderImpl<K>;
};

export interface ProviderServiceOptions {
  /** Defaults to the encrypted store, then `FLINT_SECRET_<NAME>` variables (`providerSecrets`). */
  secrets?: SecretResolver;
  clock?: Clock;
  replicaId?: string;
  leaseTtlMs?: number;
  log?: Log;
}

/**
 * Checks a service's implementations against the source kinds registry, so that a kind registered
 * without an implementation (or implemented in the wrong service) stops the boot with the reason,
 * instead of its sources silently never running.
 */
export function checkSourceKinds(
  service: ServiceName,
  implementations: Readonly<Partial<Record<RunnableKind, SourceProviderImpl>>>,
): SourceProviderImpl[] {
  const registered = kindsRunBy(service);
  const implemented = Object.keys(implementations);
  const missing = registered.filter((kind) => !implemented.includes(kind));
  if (missing.length > 0) {
    throw new Error(
      `source kind ${missing.map((kind) => `'${kind}'`).join(', ')} is registered to run in the ` +
        `${service} service (SOURCE_KINDS, libs/contracts/src/registry/source-kinds.ts), but the ` +
        `service has no implementation of it; add one under ${serviceFolder(service)}/src ` +
        '(docs/architecture.md, "How to add a provider")',
    );
  }
  const stray = implemented.filter((kind) => !(registered as string[]).includes(kind));
  if (stray.length > 0) {
    throw new Error(
      `the ${service} service implements source kind ${stray.map((kind) => `'${kind}'`).join(', ')}, ` +
        'which the source kinds registry does not assign to it',
    );
  }
  return registered.map((kind) => {
    const implementation = implementations[kind as RunnableKind] as SourceProviderImpl;
    if (implementation.kind !== kind) {
      throw new Error(
        `the implementation given for source kind '${kind}' is of kind '${implementation.kind}'`,
      );
    }
    return implementation;
  });
}

/**
 * The source kinds of one provider service, hosted: provisions the topics, reads the definitions, and
 * runs the sources of every kind the service implements, publishing with the service's Kafka client.
 * Startup happens in the background and is retried, so the service answers health checks (unready)
 * while Kafka is still coming up; `whenReady()` resolves once every source defined at startup has been
 * launched. Register an instance as a Nest provider (`useFactory`) so Nest starts and stops it.
 */
export class ProviderService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runtimes: ProviderRuntime[];
  private readonly feed: DefinitionFeed;
  private readonly producer: EventProducer;
  private readonly log: Log;
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;
  private started = false;
  private readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly service: ServiceRuntime,
    implementations: Readonly<Partial<Record<RunnableKind, SourceProviderImpl>>>,
    options: ProviderServiceOptions = {},
  ) {
    const providers = checkSourceKinds(service.config.service, implementations);
    this.log = options.log ?? serviceLog(service.logger, `${service.config.service}-provider`);
    this.feed = new DefinitionFeed(service.kafka, service.topics.triggers, { log: this.log });
    this.producer = new EventProducer(service.kafka);
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    const secrets = options.secrets ?? providerSecrets(service);
    this.runtimes = providers.map(
      (provider) =>
        new ProviderRuntime({
          provider,
          definitions: this.feed,
          producer: this.producer,
          eventsTopic: service.topics.events,
          store: service.store,
          registry: service.registry,
          log: this.log,
          clock: options.clock,
          secrets,
          replicaId: options.replicaId,
          leaseTtlMs: options.leaseTtlMs,
        }),
    );
  }

  /** True once the sources defined at startup run; before that, their events cannot be accepted. */
  get isReady(): boolean {
    return this.started;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The sources this replica handles, of every kind, and what each is doing. */
  statuses(): SourceStatus[] {
    return this.runtimes.flatMap((runtime) => runtime.statuses());
  }

  onApplicationBootstrap(): void {
    this.starting ??= this.startWithRetry();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.starting;
    await Promise.all(this.runtimes.map((runtime) => runtime.stop()));
    await this.feed.stop();
    await this.producer.disconnect();
  }

  private async startWithRetry(): Promise<void> {
    await keepTrying(
      async () => {
        await provisionTopics(this.service.kafka, this.service.topics, {
          ...this.service.kafkaTopicSettings,
        });
        await this.feed.start();
        if (this.stopping.signal.aborted) return;
        await Promise.all(this.runtimes.map((runtime) => runtime.start()));
        this.started = true;
        this.markReady();
      },
      {
        signal: this.stopping.signal,
        backoff: { initialMs: 1000, maxMs: 15_000 },
        doing: 'start the sources',
        log: this.log,
        cleanUp: () => this.feed.stop(),
      },
    );
  }
}
