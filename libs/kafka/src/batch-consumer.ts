import { errorText, jsonStderrLog, type Log } from '@flint/common';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { DEFAULT_RETRY, type RetryPolicy } from './batch-retry';
import {
  BatchAbandonedError,
  type BatchHandler,
  BatchProcessor,
  type Decode,
} from './batch-processor';
import { DEFAULT_SESSION_TIMEOUT_MS } from './config';
import { KafkaMetrics } from './kafka-metrics';
import type { IncomingMessage } from './messages';
import type { EventProducer } from './producer';

export interface BatchConsumerOptions<T> {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Produces the dead letters and the handler's output; its acknowledgement gates every commit. */
  producer: EventProducer;
  dlqTopic: string;
  /** Turns a raw message into what the handler wants; a throw sends the message to the DLQ. */
  decode: Decode<T>;
  /** Returns the records to produce for the batch; a throw is retried with backoff. */
  handle: BatchHandler<T>;
  retry?: Partial<RetryPolicy>;
  log?: Log;
  /** Where a group with no committed offset starts; from the beginning unless told otherwise, so a
   * new group never skips what was published before it first ran. */
  fromBeginning?: boolean;
  /**
   * How long the group waits for a silent consumer before giving its partitions to another replica
   * (the failover time after a crash; a consumer that stops cleanly leaves at once).
   */
  sessionTimeoutMs?: number;
  /** How long a fetch waits for new messages; also bounds how long `stop()` waits for an idle poll. */
  maxWaitTimeMs?: number;
  /**
   * How many of the fetched partitions' batches are handled at the same time (1 unless told
   * otherwise). A partition's own batches are always handled one after the other, in order.
   */
  partitionsConsumedConcurrently?: number;
}

/**
 * Consumes topics in batches with commit-after-produce: a batch's offsets are committed only after
 * everything it produced (dead letters and handler output) is acknowledged by Kafka. A crash at any
 * point therefore replays the batch; nothing is skipped. `stop()` drains: no new batches are fetched,
 * the batch in flight finishes and commits (or, if it is stuck retrying, is abandoned uncommitted),
 * then the consumer leaves the group.
 */
export class BatchConsumer<T> {
  private readonly consumer: Consumer;
  private readonly processor: BatchProcessor<T>;
  private readonly log: Log;
  private readonly inFlight = new Set<Promise<void>>();
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private stopping: Promise<void> | undefined;
  private crashListeners: ((error: Error, willRestart: boolean) => void)[] = [];
  private readonly heartbeatIntervalMs: number;
  /** The last commit requested: each waits for the one before. */
  private commits: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatchConsumerOptions<T>) {
    this.log = options.log ?? jsonStderrLog;
    const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    // Three heartbeats fit in a session, so one lost heartbeat does not cost the partitions.
    this.heartbeatIntervalMs = Math.min(3000, Math.floor(sessionTimeoutMs / 3));
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxWaitTimeInMs: options.maxWaitTimeMs ?? 1000,
    });
    this.processor = new BatchProcessor<T>({
      decode: options.decode,
      handle: options.handle,
      dlqTopic: options.dlqTopic,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      send: (records) => options.producer.sendRecords(records),
      log: this.log,
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.log('error', 'Kafka consumer crashed', {
        groupId: options.groupId,
        error: payload.error.message,
        restart: payload.restart,
      });
      for (const listener of this.crashListeners) listener(payload.error, payload.restart);
    });
  }

  /** Called when the consumer crashes; `willRestart` says whether kafkajs restarts it by itself. */
  onCrash(listener: (error: Error, willRestart: boolean) => void): void {
    this.crashListeners.push(listener);
  }

  /** The underlying kafkajs consumer, for instrumentation events. */
  get kafkaConsumer(): Consumer {
    return this.consumer;
  }

  /** Joins the group and starts consuming; resolves once the group is joined. */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`BatchConsumer cannot start when ${this.state}`);
    this.state = 'running';
    await this.options.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.options.topics,
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await this.consumer.run({
      // One fetch returns a batch per partition and the next fetch waits for all of them: handled
      // one after another, the last partition's events would wait for every other's round trips.
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.track(this.onBatch(payload)),
    });
  }

  /**
   * Drains and disconnects; every caller waits for the same drain. The producer belongs to the
   * caller and stays connected.
   */
  stop(): Promise<void> {
    this.stopping ??= this.drain();
    return this.stopping;
  }

  private async drain(): Promise<void> {
    this.state = 'stopping';
    // Commits of finished batches land while the member is still in the group; a batch that
    // finishes from now on waits for its own commit.
    await this.commits;
    // kafkajs stops fetching and waits for the batch in flight before it leaves the group.
    await this.consumer.stop();
    await Promise.allSettled([...this.inFlight]);
    await this.consumer.disconnect();
    this.state = 'stopped';
  }

  private track(batch: Promise<void>): Promise<void> {
    this.inFlight.add(batch);
    return batch.finally(() => this.inFlight.delete(batch));
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages.map((m) => incoming(batch.topic, batch.partition, m));
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined) return;
    const metrics = KafkaMetrics.of(this.options.kafka);
    // Until it is committed, the batch itself is part of the lag.
    metrics?.lag(batch.topic, batch.partition, Number(batch.offsetLagLow()) + 1);
    const isStopping = () => this.state !== 'running' || !payload.isRunning();
    // kafkajs heartbeats only between batches; a batch that takes longer than the session (a slow
    // database, a big batch on a busy machine) would otherwise lose the partitions mid-batch and be
    // replayed by another replica. A failed heartbeat (a rebalance under way) needs nothing here:
    // the commit after the batch fails the same way, and the batch is replayed.
    const keepAlive = setInterval(
      () => void payload.heartbeat().catch(() => undefined),
      this.heartbeatIntervalMs,
    );
    try {
      await this.processor.process(messages, {
        topic: batch.topic,
        partition: batch.partition,
        heartbeat: () => payload.heartbeat(),
        isStopping,
      });
    } catch (err) {
      if (err instanceof BatchAbandonedError) {
        // Not resolving the offsets leaves the batch uncommitted, so whoever owns the partition next
        // processes it again.
        this.log('info', err.message, { topic: batch.topic, partition: batch.partition });
        return;
      }
      this.log('error', 'giving up on the batch for now; it will be replayed', {
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: batch.firstOffset(),
        error: errorText(err),
      });
      throw err;
    } finally {
      clearInterval(keepAlive);
    }
    // Everything the batch produced is acknowledged: now, and only now, the offsets may move on.
    payload.resolveOffset(last.offset);
    const commit = this.commit(payload, batch.topic, batch.partition, nextOffset(last.offset)).then(
      () => metrics?.lag(batch.topic, batch.partition, Number(batch.offsetLag())),
    );
    // While running, the next fetch does not wait for the commit's round trip to the coordinator:
    // the batch is done, and a commit that fails (a rebalance) only means it is replayed, as after a
    // crash. When stopping, the commit lands before the consumer leaves the group.
    if (isStopping()) await commit;
  }

  /**
   * Commits in the order the batches finished, one request after the other, so a partition's
   * committed offset never moves back. A failure is logged, not thrown: the batch was processed and
   * its output acknowledged, so the worst a lost commit does is replay it, and kafkajs learns of a
   * rebalance from its next heartbeat or fetch.
   */
  private commit(
    payload: EachBatchPayload,
    topic: string,
    partition: number,
    offset: string,
  ): Promise<void> {
    const committed = this.commits
      .then(() =>
        payload.commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset }] }],
        }),
      )
      .catch((err: unknown) => {
        this.log('warn', 'could not commit a processed batch; it will be replayed', {
          topic,
          partition,
          offset,
          error: errorText(err),
        });
      });
    this.commits = committed;
    return committed;
  }
}

function incoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
}

/** The committed offset is the next one to read, one past the last processed message. */
function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
