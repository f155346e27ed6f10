import { egressPolicyFromEnv, kafkaOutboxRelay } from '@flint/service-kit';
import { errorText, type Log, systemClock, within } from '@flint/common';
import type { RunRequest, TopicNames } from '@flint/contracts';
import {
  type Decoded,
  type EventProducer,
  type OutgoingRecord,
  provisionTopics,
  type TopicSettings,
} from '@flint/kafka';
import {
  type ClaimOutcome,
  type OutboxRelay,
  RunAttemptRepository,
  RunCancellationRepository,
  RunClaimRepository,
  RunConcurrencyRepository,
  RunnerWorkflowsRepository,
  RunRetentionRepository,
  type Store,
} from '@flint/store';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { WorkflowRegistry } from '@flint/workflows';
import { RunRequestHandler } from './claiming/run-request-handler';
import { CancellationSender } from './execution/cancellation-sender';
import { RunExecutor } from './execution/run-executor';
import { retainedTables } from './retention/retained-tables';
import { TableRetention } from './retention/table-retention';
import { prunedRowsCounter, registerTableSizeMetrics } from './retention/table-size-metrics';
import { RunScheduler } from './execution/run-scheduler';
import type { RunnerConfig } from './runner-config';
import { RunnerMetrics } from './runner-metrics';
import { RunStatusMessages } from '@flint/service-kit';
import { HttpTargetStarter } from './targets/http-target';
import { KafkaTargetStarter } from './targets/kafka-target';
import { KeyExpressions } from './targets/key-expression';
import { LocalTargetStarter } from './targets/local-target';
import { WorkflowEvents } from './targets/workflow-events';
import { targetSecrets } from './targets/secrets';
import { WorkflowAnnouncer } from './workflows/workflow-announcer';

/** How often each runner deletes finished runs past their retention, and how many per statement. */
const RETENTION_INTERVAL_MS = 10 * 60 * 1000;
const RETENTION_BATCH_SIZE = 1000;
/** Most cancellation requests one runner sends at once. */
const CANCELLATION_BATCH_SIZE = 50;

export interface RunnerDependencies {
  /** Where target secrets come from (`FLINT_SECRETS_KEYS`, `FLINT_SECRETS_DIR`, `FLINT_SECRET_<NAME>`). */
  env: NodeJS.ProcessEnv;
  kafka: Kafka;
  store: Store;
  topics: TopicNames;
  topicSettings: TopicSettings;
  registry: Registry;
  log: Log;
  /** Publishes run-status events and Kafka targets' messages; the transport dead-letters with it. */
  producer: EventProducer;
  config: RunnerConfig;
  workflows: WorkflowRegistry;
}

/**
 * The runner: claims run requests (its Kafka transport feeds them to `RunRequestsController`), carries
 * out due runs from the database (RunScheduler, RunExecutor) and publishes what happened through the
 * outbox. Its database work starts at once and its Kafka work as soon as the broker answers, so it
 * boots (and reports Kafka unhealthy) while the broker is still coming up.
 */
export class Runner {
  readonly metrics: RunnerMetrics;
  readonly scheduler: RunScheduler;
  private readonly relay: OutboxRelay;
  private readonly cancellations: CancellationSender;
  private readonly handler: RunRequestHandler;
  private readonly announcer: WorkflowAnnouncer;
  private readonly retention: TableRetention;

  constructor(private readonly deps: RunnerDependencies) {
    const { store, config, topics, log } = deps;
    this.announcer = new WorkflowAnnouncer(
      new RunnerWorkflowsRepository(store),
      config.holder,
      deps.workflows.names(),
      log,
    );
    const attempts = new RunAttemptRepository(store);
    this.metrics = new RunnerMetrics(deps.registry);
    const messages = new RunStatusMessages({ events: topics.events, dlq: topics.dlq });
    // Publishes the run-status events and dead letters committed with the runs' transitions.
    this.relay = kafkaOutboxRelay(store, deps.producer, { intervalMs: config.pollIntervalMs, log });
    const http = new HttpTargetStarter(
      targetSecrets(deps.env, store),
      egressPolicyFromEnv(deps.env),
    );
    const kafka = new KafkaTargetStarter(deps.producer, new KeyExpressions(), {
      timeoutMs: config.kafkaTargetTimeoutMs,
    });
    this.cancellations = new CancellationSender({
      cancellations: new RunCancellationRepository(store),
      cancellers: { http, kafka },
      metrics: this.metrics,
      holder: config.holder,
      pollIntervalMs: config.pollIntervalMs,
      leaseGraceMs: config.leaseGraceMs,
      batchSize: CANCELLATION_BATCH_SIZE,
      log,
    });
    const executor = new RunExecutor({
      attempts,
      starters: {
        http,
        kafka,
        local: new LocalTargetStarter(
          deps.workflows,
          new WorkflowEvents({ producer: deps.producer, topic: topics.events }),
        ),
      },
      messages,
      metrics: this.metrics,
      holder: config.holder,
      callbackBaseUrl: config.callbackBaseUrl,
      log,
      onRetryScheduled: (at) => this.scheduler.wakeAt(at),
      onAdmitted: () => this.scheduler.notify(),
      // Publish a transition's events now rather than at the relay's next interval.
      onEventsCommitted: () => this.relay.notify(),
      onCancellationsCommitted: () => this.cancellations.notify(),
    });
    const concurrency = new RunConcurrencyRepository(store);
    this.scheduler = new RunScheduler({ attempts, concurrency }, (run) => executor.execute(run), {
      holder: config.holder,
      pollIntervalMs: config.pollIntervalMs,
      maxInFlight: config.maxInFlight,
      leaseGraceMs: config.leaseGraceMs,
      log,
      onInFlightChange: (count) => this.metrics.setInFlight(count),
      onCancelRequested: (runs) => executor.cancel(runs),
    });
    this.handler = new RunRequestHandler({
      claims: new RunClaimRepository(store),
      messages,
      metrics: this.metrics,
      log,
      kafkaTargetTimeoutMs: config.kafkaTargetTimeoutMs,
      leases: {
        holder: config.holder,
        graceMs: config.leaseGraceMs,
        reserve: (wanted) => this.scheduler.reserve(wanted),
        adopt: (reserved, runs) => this.scheduler.adopt(reserved, runs),
        firstStart: (request, at) => executor.firstStart(request, at),
      },
      onClaimed: (outcomes) => {
        // Runs leased by their claim are carried out already: the scheduler is for the rest.
        if (outcomes.some((o) => o.outcome === 'queued' || (o.outcome === 'claimed' && !o.taken))) {
          this.scheduler.notify();
        }
        // Skip events, and the STARTED events of runs begun, were committed with their claims.
        const announced = (o: ClaimOutcome) =>
          o.outcome === 'skipped' || (o.outcome === 'claimed' && o.taken?.status === 'STARTED');
        if (outcomes.some(announced)) {
          this.relay.notify();
        }
      },
    });
    const retention = new RunRetentionRepository(store);
    const pruned = prunedRowsCounter(deps.registry);
    this.retention = new TableRetention({
      tables: retainedTables(store, {
        runsMs: config.runRetentionMs,
        deletedSourceStateMs: config.deletedSourceStateRetentionMs,
        deadLettersMs: config.deadLetterRetentionMs,
      }),
      clock: systemClock,
      intervalMs: RETENTION_INTERVAL_MS,
      batchSize: RETENTION_BATCH_SIZE,
      log,
      onPruned: (table, count) => pruned.inc({ table }, count),
    });
    registerTableSizeMetrics(deps.registry, retention);
  }

  start(): void {
    this.scheduler.start();
    this.cancellations.start();
    this.announcer.start();
    this.retention.start();
  }

  /**
   * What must hold before run requests are consumed: the topics exist and the outbox relay publishes
   * what the runs commit. Called by the transport before each attempt to start consuming.
   */
  async prepare(): Promise<void> {
    await provisionTopics(this.deps.kafka, this.deps.topics, this.deps.topicSettings);
    this.relay.start();
  }

  /** Claims a batch of run requests; what it returns (dead letters) is produced before the commit. */
  claim(batch: Decoded<RunRequest>[]): Promise<OutgoingRecord[]> {
    return this.handler.handle(batch);
  }

  /** After the transport has drained the consumer: finishes or hands over the runs in flight. */
  async stop(): Promise<void> {
    const { drainTimeoutMs } = this.deps.config;
    await this.retention.stop();
    await this.scheduler.stop(drainTimeoutMs);
    await within(this.cancellations.stop(), drainTimeoutMs);
    await this.relay.stop();
    // The last attempts' events were committed; publish them before leaving if Kafka lets us.
    await within(
      this.relay.relayAll().catch((err: unknown) => {
        this.deps.log('warn', 'could not publish the last run events', { error: errorText(err) });
      }),
      drainTimeoutMs,
    );
    await this.deps.producer.disconnect();
    await this.announcer.stop();
  }
}
