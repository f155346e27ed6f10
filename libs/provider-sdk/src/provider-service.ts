import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DefinitionFeed, EventProducer, backoffDelay, provisionTopics } from '@flint/kafka';
import type { ServiceRuntime } from '@flint/service-kit';
import { type Clock, systemClock } from './clock';
import type { ProviderLog, RunnableProvider, SourceProviderImpl } from './provider';
import { ProviderRuntime } from './provider-runtime';
import { EnvSecretResolver, type SecretResolver } from './secrets';

export interface ProviderServiceOptions {
  secrets?: SecretResolver;
  clock?: Clock;
  replicaId?: string;
  leaseTtlMs?: number;
  log?: ProviderLog;
}

/**
 * A provider hosted in a Flint service: provisions the topics, reads the definitions, and runs the
 * provider's sources, publishing with the service's Kafka client. Startup happens in the background
 * and is retried, so the service answers health checks (unready) while Kafka is still coming up;
 * `whenReady()` resolves once every source defined at startup has been launched. Register an
 * instance as a Nest provider (`useFactory`) so Nest starts and stops it.
 */
export class ProviderService<K extends RunnableProvider = RunnableProvider, Config = unknown>
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  readonly runtime: ProviderRuntime<K, Config>;
  private readonly feed: DefinitionFeed;
  private readonly producer: EventProducer;
  private readonly log: ProviderLog;
  private readonly stopping = new AbortController();
  private starting: Promise<void> | undefined;
  private started = false;
  private readonly ready: Promise<void>;
  private markReady!: () => void;

  constructor(
    private readonly service: ServiceRuntime,
    provider: SourceProviderImpl<K, Config>,
    options: ProviderServiceOptions = {},
  ) {
    this.log = options.log ?? nestLog(`${provider.kind}-provider`);
    this.feed = new DefinitionFeed(service.kafka, service.topics.triggers, { log: this.log });
    this.producer = new EventProducer(service.kafka);
    this.ready = new Promise<void>((resolve) => (this.markReady = resolve));
    this.runtime = new ProviderRuntime({
      provider,
      definitions: this.feed,
      producer: this.producer,
      eventsTopic: service.topics.events,
      store: service.store,
      registry: service.registry,
      log: this.log,
      clock: options.clock,
      secrets: options.secrets ?? new EnvSecretResolver(service.env),
      replicaId: options.replicaId,
      leaseTtlMs: options.leaseTtlMs,
    });
  }

  /** True once the sources defined at startup run; before that, their events cannot be accepted. */
  get isReady(): boolean {
    return this.started;
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  onApplicationBootstrap(): void {
    this.starting ??= this.startWithRetry();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.starting;
    await this.runtime.stop();
    await this.feed.stop();
    await this.producer.disconnect();
  }

  private async startWithRetry(): Promise<void> {
    const signal = this.stopping.signal;
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        await provisionTopics(this.service.kafka, this.service.topics, {
          ...this.service.kafkaTopicSettings,
        });
        if (signal.aborted) return;
        await this.feed.start();
        if (signal.aborted) return;
        await this.runtime.start();
        this.started = true;
        this.markReady();
        return;
      } catch (err) {
        await this.feed.stop().catch(() => undefined);
        const delay = backoffDelay(attempt, { attempts: 0, initialMs: 1000, maxMs: 15_000 });
        this.log('warn', `could not start, retrying in ${delay} ms: ${String(err)}`);
        await systemClock.sleep(delay, signal);
      }
    }
  }
}

/** Routes provider log entries into Nest's logger, fields as JSON after the message. */
export function nestLog(context: string): ProviderLog {
  const logger = new Logger(context);
  return (level, message, fields) => {
    const line =
      fields && Object.keys(fields).length > 0 ? `${message} ${JSON.stringify(fields)}` : message;
    if (level === 'error') logger.error(line);
    else if (level === 'warn') logger.warn(line);
    else if (level === 'info') logger.log(line);
    else logger.debug(line);
  };
}
