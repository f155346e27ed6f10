import { kafkaOutboxRelay } from '@flint/service-kit';
import { errorText, type Log, systemClock, within } from '@flint/common';
import { type TopicNames, decodeRunRequest } from '@flint/contracts';
import { BatchConsumer, EventProducer, provisionTopics, type TopicSettings } from '@flint/kafka';
import {
  type OutboxRelay,
  RunAttemptRepository,
  RunClaimRepository,
  RunConcurrencyRepository,
  type Store,
} from '@flint/store';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { WorkflowRegistry } from '@flint/workflows';
import { RunRequestHandler } from './claiming/run-request-handler';
import { RunExecutor } from './execution/run-executor';
import { RunScheduler } from './execution/run-scheduler';
import type { RunnerConfig } from './runner-config';
import { RunnerMetrics } from './runner-metrics';
import { RunStatusMessages } from './status/run-status-messages';
import { HttpTargetStarter } from './targets/http-target';
import { KafkaTargetStarter } from './targets/kafka-target';
import { KeyExpressions } from './targets/key-expression';
import { LocalTargetStarter } from './targets/local-target';
import { targetSecrets } from './targets/secrets';

export interface RunnerDependencies {
  /** Where target secrets come from (`FLINT_SECRETS_KEYS`, `FLINT_SECRETS_DIR`, `FLINT_SECRET_<NAME>`). */
  env: NodeJS.ProcessEnv;
  kafka: Kafka;
  store: Store;
  topics: TopicNames;
  topicSettings: TopicSettings;
  registry: Registry;
  log: Log;
  kafkaLog: Log;
  config: RunnerConfig;
  workflows: WorkflowRegistry;
}

/** How long to wait before trying Kafka again when the broker is not reachable at start. */
const CONNECT_RETRY_MS = 2000;

/**
 * The runner: claims run requests from the runs topic (RunRequestHandler), carries out due runs from
 * the database (RunScheduler, RunExecutor) and publishes what happened through the outbox. It starts
 * its database work at once and its Kafka work as soon as the broker answers, so it boots (and reports
 * Kafka unhealthy) while the broker is still coming up.
 */
export class Runner {
  readonly metrics: RunnerMetrics;
  readonly scheduler: RunScheduler;
  private readonly producer: EventProducer;
  private readonly relay: OutboxRelay;
  private readonly handler: RunRequestHandler;
  private consumer: BatchConsumer<ReturnType<typeof decodeRunRequest>> | undefined;
  private connecting: Promise<void> | undefined;
  private stopping = false;
  private readyResolve!: () => void;
  /** Resolves once the runner consumes the runs topic. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(private readonly deps: RunnerDependencies) {
    const { store, config, topics, log } = deps;
    const attempts = new RunAttemptRepository(store);
    this.metrics = new RunnerMetrics(deps.registry);
    this.producer = new EventProducer(deps.kafka);
    const messages = new RunStatusMessages({ events: topics.events, dlq: topics.dlq });
    // Publishes the run-status events and dead letters committed with the runs' transitions.
    this.relay = kafkaOutboxRelay(store, this.producer, { intervalMs: config.pollIntervalMs, log });
    const executor = new RunExecutor({
      attempts,
      starters: {
        http: new HttpTargetStarter(targetSecrets(deps.env, store)),
        kafka: new KafkaTargetStarter(this.producer, new KeyExpressions(), {
          timeoutMs: config.kafkaTargetTimeoutMs,
        }),
        local: new LocalTargetStarter(deps.workflows),
      },
      messages,
      metrics: this.metrics,
      holder: config.holder,
      log,
      onRetryScheduled: (at) => this.scheduler.wakeAt(at),
      onAdmitted: () => this.scheduler.notify(),
      // Publish a transition's events now rather than at the relay's next interval.
      onEventsCommitted: () => this.relay.notify(),
    });
    const concurrency = new RunConcurrencyRepository(store);
    this.scheduler = new RunScheduler({ attempts, concurrency }, (run) => executor.execute(run), {
      holder: config.holder,
      pollIntervalMs: config.pollIntervalMs,
      maxInFlight: config.maxInFlight,
      leaseGraceMs: config.leaseGraceMs,
      log,
      onInFlightChange: (count) => this.metrics.setInFlight(count),
    });
    this.handler = new RunRequestHandler({
      claims: new RunClaimRepository(store),
      messages,
      metrics: this.metrics,
      log,
      kafkaTargetTimeoutMs: config.kafkaTargetTimeoutMs,
      onClaimed: () => {
        this.scheduler.notify();
        // Skip events were committed with their claims.
        this.relay.notify();
      },
    });
  }

  start(): void {
    this.scheduler.start();
    this.connecting ??= this.connect();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const { drainTimeoutMs } = this.deps.config;
    // A connect in progress (say, to a broker that is down) gets the drain time to finish or fail.
    await within(this.connecting ?? Promise.resolve(), drainTimeoutMs);
    await this.consumer?.stop();
    await this.scheduler.stop(drainTimeoutMs);
    await this.relay.stop();
    // The last attempts' events were committed; publish them before leaving if Kafka lets us.
    await within(
      this.relay.relayAll().catch((err: unknown) => {
        this.deps.log('warn', 'could not publish the last run events', { error: errorText(err) });
      }),
      drainTimeoutMs,
    );
    await this.producer.disconnect();
  }

  private async connect(): Promise<void> {
    while (!this.stopping) {
      try {
        await provisionTopics(this.deps.kafka, this.deps.topics, this.deps.topicSettings);
        if (this.stopping) return;
        this.relay.start();
        const consumer = new BatchConsumer({
          kafka: this.deps.kafka,
          groupId: this.deps.config.groupId,
          topics: [this.deps.topics.runs],
          producer: this.producer,
          dlqTopic: this.deps.topics.dlq,
          decode: decodeRunRequest,
          handle: (items) => this.handler.handle(items),
          log: this.deps.kafkaLog,
        });
        this.consumer = consumer;
        await consumer.start();
        this.readyResolve();
        return;
      } catch (err) {
        this.deps.log(
          'warn',
          `cannot consume run requests yet; trying again in ${CONNECT_RETRY_MS} ms`,
          { error: errorText(err) },
        );
        await this.consumer?.stop().catch(() => undefined);
        this.consumer = undefined;
        await systemClock.sleep(CONNECT_RETRY_MS);
      }
    }
  }
}
