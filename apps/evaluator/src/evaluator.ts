import { EvaluatorBatchRepository } from './batching/batch-repository';
import { EvaluatorCompoundRepository } from './compound/compound-repository';
import { errorText, type Log, type Clock, systemClock } from '@flint/common';
import { type CelEngine, type CompiledTrigger, compileTrigger } from '@flint/conditions';
import type { CloudEvent, TopicNames } from '@flint/contracts';
import {
  BatchConsumer,
  type Decoded,
  decodeCloudEvent,
  DefinitionFeed,
  EventProducer,
  provisionTopics,
  type TopicSettings,
} from '@flint/kafka';
import { ActivityRepository, type Store } from '@flint/store';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { TriggerActivityRecorder } from './activity/trigger-activity-recorder';
import { batchEmitter } from './batching/batch-emitter';
import { BatchManager } from './batching/batch-manager';
import { CompoundTracker } from './compound/compound-tracker';
import {
  applyDefinitionChange,
  reportUnresolvedSources,
} from './definitions/apply-definition-change';
import { TriggerIndex } from './definitions/trigger-index';
import { EvaluatorMetrics } from './evaluator-metrics';
import type { EvaluatorSettings } from './evaluator-settings';
import { DedupeWindow } from './pipeline/dedupe-window';
import { EventProcessor } from './pipeline/event-processor';
import { RunRequestMaker } from './pipeline/run-request-maker';

export interface EvaluatorDependencies {
  kafka: Kafka;
  store: Store;
  topics: TopicNames;
  topicSettings: TopicSettings;
  registry: Registry;
  engine: CelEngine;
  settings: EvaluatorSettings;
  log: Log;
  /** A quick check that the broker answers, so a start attempt does not sit in kafkajs's retries. */
  probeKafka?: () => Promise<void>;
  clock?: Clock;
}

const CONNECT_RETRY_MS = 2000;
/** Enough of an event's data to recognise it in the history; the event itself is in Kafka. */
const RECENT_EVENT_EXCERPT_CHARS = 2048;

/** Everything that lives for one connection to Kafka; rebuilt from scratch if a start attempt fails. */
interface Session {
  feed: DefinitionFeed;
  index: TriggerIndex;
  batches: BatchManager;
  consumer?: BatchConsumer<CloudEvent>;
}

/**
 * The evaluator: reads every definition from the triggers topic (and follows changes live), consumes
 * the events topic in a consumer group, and turns matching events into run requests on the runs
 * topic, committing each batch of events only after its run requests are in Kafka and its batched
 * or compound events are in the database. It boots at once and connects when the broker answers.
 */
export class Evaluator {
  readonly metrics: EvaluatorMetrics;
  private readonly producer: EventProducer;
  private readonly batchStore: EvaluatorBatchRepository;
  private readonly compounds: CompoundTracker;
  private readonly dedupe: DedupeWindow;
  private readonly runs: RunRequestMaker;
  private readonly activity: TriggerActivityRecorder;
  private readonly clock: Clock;
  private session: Session | undefined;
  private connecting: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private readyResolve!: () => void;
  /** Resolves once all definitions are loaded and the events topic is being consumed. */
  readonly ready = new Promise<void>((resolve) => (this.readyResolve = resolve));

  constructor(private readonly deps: EvaluatorDependencies) {
    this.clock = deps.clock ?? systemClock;
    this.producer = new EventProducer(deps.kafka);
    this.batchStore = new EvaluatorBatchRepository(deps.store);
    this.dedupe = new DedupeWindow(deps.settings.dedupeCacheSize);
    this.runs = new RunRequestMaker(this.clock);
    this.compounds = new CompoundTracker(
      new EvaluatorCompoundRepository(deps.store),
      this.clock,
      (trigger, members, completing) => this.runs.forCompound(trigger, members, completing),
    );
    this.activity = new TriggerActivityRecorder({
      sink: new ActivityRepository(deps.store),
      now: () => this.clock.now(),
      flushIntervalMs: deps.settings.activityFlushMs,
      eventsPerSource: deps.settings.recentEventsPerSource,
      retentionMs: deps.settings.activityRetentionMs,
      excerptChars: RECENT_EVENT_EXCERPT_CHARS,
      log: deps.log,
    });
    this.metrics = new EvaluatorMetrics(deps.registry, {
      triggers: () => this.triggerCounts(),
      openBatches: () => this.session?.batches.openBatches ?? 0,
    });
  }

  start(): void {
    this.activity.start();
    this.connecting ??= this.connect();
  }

  /** Stops consuming (the batch in flight finishes and commits), then lets go of everything else. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.connecting;
    clearInterval(this.sweeper);
    await this.sweeping;
    await this.closeSession();
    await this.activity.stop();
    await this.producer.disconnect();
  }

  /** The version of a trigger the evaluator currently applies, if it knows the trigger. */
  triggerVersion(id: string): number | undefined {
    return this.session?.index.get(id)?.version;
  }

  private async connect(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.deps.probeKafka?.();
        await provisionTopics(this.deps.kafka, this.deps.topics, this.deps.topicSettings);
        await this.openSession();
        if (this.stopping) return;
        this.sweeper = setInterval(() => this.sweep(), this.deps.settings.sweepIntervalMs);
        this.sweeper.unref();
        this.readyResolve();
        return;
      } catch (err) {
        this.deps.log(
          'warn',
          `cannot evaluate events yet; trying again in ${CONNECT_RETRY_MS} ms`,
          {
            error: errorText(err),
          },
        );
        await this.closeSession();
        await this.pause(CONNECT_RETRY_MS);
      }
    }
  }

  private async openSession(): Promise<void> {
    const { kafka, topics, log, engine } = this.deps;
    const index = new TriggerIndex((definition) => compileTrigger(engine, definition));
    const feed = new DefinitionFeed(kafka, topics.triggers, { log });
    const compiled = (id: string): CompiledTrigger | undefined => {
      const trigger = index.get(id);
      return trigger?.kind === 'compiled' ? trigger : undefined;
    };
    const send = (records: Parameters<EventProducer['sendRecords']>[0]) =>
      this.producer.sendRecords(records);
    const batches = new BatchManager({
      store: this.batchStore,
      clock: this.clock,
      trigger: compiled,
      emit: batchEmitter({
        runs: this.runs,
        runsTopic: topics.runs,
        send,
        metrics: this.metrics,
        log,
      }),
      log,
    });
    const session: Session = { feed, index, batches };
    this.session = session;
    feed.onChange((change) => applyDefinitionChange(index, change, log));
    await feed.start();
    if (this.stopping) return;
    reportUnresolvedSources(index, log);

    const processor = new EventProcessor({
      index,
      dedupe: this.dedupe,
      batches,
      compounds: this.compounds,
      runs: this.runs,
      runsTopic: topics.runs,
      send,
      metrics: this.metrics,
      activity: this.activity,
      log,
    });
    const consumer = new BatchConsumer<CloudEvent>({
      kafka,
      groupId: this.deps.settings.groupId,
      topics: [topics.events],
      producer: this.producer,
      dlqTopic: topics.dlq,
      decode: decodeCloudEvent,
      handle: async (items: Decoded<CloudEvent>[], ctx) => {
        await processor.process(
          items.map((item) => ({ event: item.value, partition: ctx.partition })),
        );
        return [];
      },
      log,
    });
    consumer.kafkaConsumer.on(consumer.kafkaConsumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[topics.events] ?? [];
      batches.assign(partitions).catch((err: unknown) => {
        log('warn', 'could not load the batches of assigned partitions; they load on next use', {
          partitions,
          error: errorText(err),
        });
      });
    });
    session.consumer = consumer;
    await consumer.start();
  }

  private async closeSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await session.consumer?.stop().catch((err: unknown) => {
      this.deps.log('warn', 'the events consumer did not stop cleanly', { error: errorText(err) });
    });
    await session.batches.stop();
    await session.feed.stop().catch(() => undefined);
  }

  private sweep(): void {
    if (this.sweeping) return;
    const now = new Date(this.clock.now());
    this.sweeping = (async () => {
      const { expired } = await this.compounds.sweep(now);
      this.metrics.expiredMatches(expired);
      await this.batchStore.deleteExpired(now);
      this.dedupe.prune(now.getTime());
    })()
      .catch((err: unknown) => {
        this.deps.log('warn', 'cleaning up evaluator state failed; trying again later', {
          error: errorText(err),
        });
      })
      .finally(() => (this.sweeping = undefined));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private triggerCounts(): { active: number; broken: number } {
    let broken = 0;
    const triggers = this.session?.index.triggers() ?? [];
    for (const trigger of triggers) if (trigger.kind === 'broken') broken++;
    return { active: triggers.length - broken, broken };
  }
}
