import { type Clock, errorText, type Log, systemClock, WakeLoop } from '@flint/common';
import {
  type CelEngine,
  type CompiledTrigger,
  compileTrigger,
  resultFilterCompiler,
} from '@flint/conditions';
import { encodeRunRequest, RunRequestSchema, type TopicNames } from '@flint/contracts';
import {
  DefinitionFeed,
  type EventProducer,
  EventSigner,
  type OutgoingRecord,
  provisionTopics,
  type TopicSettings,
} from '@flint/kafka';
import {
  ActivityRepository,
  ArchiveRetention,
  EventArchiveRepository,
  RunControlRepository,
  type Store,
} from '@flint/store';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { TriggerActivityRecorder } from './activity/trigger-activity-recorder';
import { batchEmitter } from './batching/batch-emitter';
import { BatchManager } from './batching/batch-manager';
import { EvaluatorBatchRepository } from './batching/batch-repository';
import { EvaluatorCompoundRepository } from './compound/compound-repository';
import { CompoundTracker } from './compound/compound-tracker';
import {
  applyDefinitionChange,
  reportUnresolvedSources,
} from './definitions/apply-definition-change';
import { TriggerIndex } from './definitions/trigger-index';
import { EvaluatorMetrics, MetricsTally } from './evaluator-metrics';
import type { EvaluatorSettings } from './evaluator-settings';
import { DedupeKeyRepository } from './pipeline/dedupe-keys';
import { DedupeWindow } from './pipeline/dedupe-window';
import { EventProcessor, type ConsumedEvent } from './pipeline/event-processor';
import { RunRequestMaker } from './pipeline/run-request-maker';
import { DelayedRuns } from './rate-limit/delayed-runs';
import { EvaluatorRateLimitRepository } from './rate-limit/rate-limit-repository';

export interface EvaluatorDependencies {
  kafka: Kafka;
  store: Store;
  topics: TopicNames;
  topicSettings: TopicSettings;
  registry: Registry;
  engine: CelEngine;
  settings: EvaluatorSettings;
  log: Log;
  /** Sends the run requests; the Kafka transport also dead-letters with it. */
  producer: EventProducer;
  /** A quick check that the broker answers, so a start attempt does not sit in kafkajs's retries. */
  probeKafka?: () => Promise<void>;
  clock?: Clock;
}

/** How long a dedupe window is kept after it ended. */
const DEDUPE_WINDOW_GRACE_MS = 24 * 3600 * 1000;

/** Enough of an event's data to recognise it in the history; the event itself is in Kafka. */
const RECENT_EVENT_EXCERPT_CHARS = 2048;

/** What lives for one start of consuming; rebuilt from scratch if a start attempt fails. */
interface Session {
  feed: DefinitionFeed;
  index: TriggerIndex;
  batches: BatchManager;
  delayed: DelayedRuns;
  processor: EventProcessor;
}

/**
 * The evaluator: reads every definition from the triggers topic (and follows changes live) and turns
 * matching events into run requests on the runs topic. Its Kafka transport feeds it batches of the
 * events topic (`EventsController`) and commits each batch only after `process` resolved, that is
 * once the batch's run requests are in Kafka and its batched or compound events are in the database.
 */
export class Evaluator {
  readonly metrics: EvaluatorMetrics;
  private readonly batchStore: EvaluatorBatchRepository;
  private readonly rateLimits: EvaluatorRateLimitRepository;
  private readonly cancels: RunControlRepository;
  private readonly compounds: CompoundTracker;
  private readonly dedupe: DedupeWindow;
  private readonly dedupeKeys: DedupeKeyRepository;
  private readonly runs: RunRequestMaker;
  private readonly activity: TriggerActivityRecorder;
  private readonly clock: Clock;
  private readonly sweeper: WakeLoop;
  private readonly archive: EventArchiveRepository | undefined;
  /** Applies the archive's retention; absent when the archive is off. */
  private readonly pruner: WakeLoop | undefined;
  private session: Session | undefined;

  constructor(private readonly deps: EvaluatorDependencies) {
    this.clock = deps.clock ?? systemClock;
    this.batchStore = new EvaluatorBatchRepository(deps.store);
    this.rateLimits = new EvaluatorRateLimitRepository(deps.store);
    this.cancels = new RunControlRepository(deps.store);
    this.dedupe = new DedupeWindow(deps.settings.dedupeCacheSize);
    this.dedupeKeys = new DedupeKeyRepository(deps.store);
    this.runs = new RunRequestMaker(this.clock, deps.topics.runs);
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
    const archiveSettings = deps.settings.archive;
    if (archiveSettings) {
      const archive = new EventArchiveRepository(deps.store);
      const retention = new ArchiveRetention(archive, archiveSettings);
      this.archive = archive;
      this.pruner = new WakeLoop(
        async () => {
          const report = await retention.prune(new Date(this.clock.now()));
          if (report.droppedDays.length > 0 || report.deletedEvents > 0) {
            deps.log('info', 'pruned the event archive', {
              droppedDays: report.droppedDays.map((day) => day.toISOString().slice(0, 10)),
              deletedEvents: report.deletedEvents,
            });
          }
        },
        {
          intervalMs: archiveSettings.pruneIntervalMs,
          clock: this.clock,
          onError: (err) =>
            deps.log('warn', 'pruning the event archive failed; trying again later', {
              error: errorText(err),
            }),
        },
      );
    }
    this.sweeper = new WakeLoop(() => this.sweep(), {
      intervalMs: deps.settings.sweepIntervalMs,
      clock: this.clock,
      onError: (err) =>
        deps.log('warn', 'cleaning up evaluator state failed; trying again later', {
          error: errorText(err),
        }),
    });
  }

  start(): void {
    if (EventSigner.of(this.deps.kafka) === undefined) {
      this.deps.log(
        'warn',
        'KAFKA_EVENT_SIGNING_KEY is unset: every producer on the events topic is trusted, so one can act as any owner or fake run-status events',
      );
    }
    this.activity.start();
    this.sweeper.start();
    this.pruner?.start();
  }

  /** After the transport has drained the consumer: lets go of everything else. */
  async stop(): Promise<void> {
    await this.sweeper.stop();
    await this.pruner?.stop();
    await this.unprepare();
    await this.activity.stop();
    await this.deps.producer.disconnect();
  }

  /**
   * What must hold before events are consumed: the topics exist and every definition is loaded (and
   * followed from then on). Called by the transport before each attempt to start consuming.
   */
  async prepare(): Promise<void> {
    const { kafka, topics, log, engine } = this.deps;
    await this.deps.probeKafka?.();
    await provisionTopics(kafka, topics, this.deps.topicSettings);
    const index = new TriggerIndex(
      (definition) => compileTrigger(engine, definition),
      resultFilterCompiler(engine),
    );
    const feed = new DefinitionFeed(kafka, topics.triggers, { log });
    const compiled = (id: string): CompiledTrigger | undefined => {
      const trigger = index.get(id);
      return trigger?.kind === 'compiled' ? trigger : undefined;
    };
    const send = (records: OutgoingRecord[]) => this.deps.producer.sendRecords(records);
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
    const delayed = new DelayedRuns({
      store: this.rateLimits,
      clock: this.clock,
      send: async (run) => {
        const request = RunRequestSchema.parse(JSON.parse(run.request));
        await send([{ topic: topics.runs, ...encodeRunRequest(request) }]);
        const tally = new MetricsTally();
        tally.runRequest(request.provider);
        this.metrics.apply(tally);
      },
      log,
    });
    const processor = new EventProcessor({
      index,
      dedupe: this.dedupe,
      dedupeKeys: this.dedupeKeys,
      batches,
      compounds: this.compounds,
      rateLimits: this.rateLimits,
      delayed,
      cancels: this.cancels,
      now: () => this.clock.now(),
      runs: this.runs,
      runsTopic: topics.runs,
      groupId: this.deps.settings.groupId,
      send,
      metrics: this.metrics,
      activity: this.activity,
      ...(this.archive && { archive: this.archive }),
      log,
    });
    this.session = { feed, index, batches, delayed, processor };
    feed.onChange((change) => applyDefinitionChange(index, change, log));
    await feed.start();
    reportUnresolvedSources(index, log);
  }

  /** Forgets a session whose start failed, or the last one when stopping. */
  async unprepare(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await session.batches.stop();
    session.delayed.stop();
    await session.feed.stop().catch(() => undefined);
  }

  /** Evaluates a batch of events; resolves once everything it produced is in Kafka and the database. */
  async process(events: readonly ConsumedEvent[]): Promise<void> {
    if (!this.session) throw new Error('the evaluator consumes events before it was prepared');
    await this.session.processor.process(events);
  }

  /** The events partitions this replica was given: their open batches' timers start now. */
  assign(partitions: number[]): void {
    this.session?.delayed.assign(partitions).catch((err: unknown) => {
      this.deps.log('warn', 'could not load the delayed runs of assigned partitions', {
        partitions,
        error: errorText(err),
      });
    });
    this.session?.batches.assign(partitions).catch((err: unknown) => {
      this.deps.log(
        'warn',
        'could not load the batches of assigned partitions; they load on next use',
        {
          partitions,
          error: errorText(err),
        },
      );
    });
  }

  /** The version of a trigger the evaluator currently applies, if it knows the trigger. */
  triggerVersion(id: string): number | undefined {
    return this.session?.index.get(id)?.version;
  }

  private async sweep(): Promise<void> {
    const now = new Date(this.clock.now());
    const { expired } = await this.compounds.sweep(now);
    this.metrics.expiredMatches(expired);
    await this.batchStore.deleteExpired(now);
    // A day past its end, so a late replay of an old event still finds the window its key opened.
    await this.dedupeKeys.deleteExpired(new Date(now.getTime() - DEDUPE_WINDOW_GRACE_MS));
    await this.rateLimits.deleteExpired(now);
    this.dedupe.prune(now.getTime());
  }

  private triggerCounts(): { active: number; broken: number } {
    let broken = 0;
    const triggers = this.session?.index.triggers() ?? [];
    for (const trigger of triggers) if (trigger.kind === 'broken') broken++;
    return { active: triggers.length - broken, broken };
  }
}
