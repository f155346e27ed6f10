import { randomUUID } from 'node:crypto';
import { jsonStderrLog, type Log } from '@flint/common';
import {
  type DefinitionKind,
  type StoredDefinition,
  StoredDefinitionSchema,
  formatZodIssues,
} from '@flint/contracts';
import type { Consumer, Kafka } from 'kafkajs';

export interface DefinitionChange {
  /** `kind:id`, the record's key on the triggers topic. */
  key: string;
  kind: DefinitionKind;
  id: string;
  previous?: StoredDefinition;
  /** Undefined when the definition was deleted. */
  current?: StoredDefinition;
}

export type DefinitionListener = (change: DefinitionChange) => void;

export interface DefinitionFeedOptions {
  log?: Log;
  /** How long `start()` may take to read the topic to its end before it fails. */
  startTimeoutMs?: number;
}

const KEY = /^(source|trigger):(.+)$/;

/**
 * Every source and trigger definition, read from the compacted triggers topic and kept current.
 *
 * Every replica of every service needs all definitions, so each feed reads the whole topic in a
 * consumer group of its own and never commits: a restart simply reads the compacted topic again.
 * `start()` resolves once the feed has read up to the end offsets the topic had when it started, so a
 * service never begins work on a partial set of definitions.
 */
export class DefinitionFeed {
  private readonly definitions = new Map<string, StoredDefinition>();
  private readonly listeners = new Set<DefinitionListener>();
  private readonly log: Log;
  private consumer: Consumer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly options: DefinitionFeedOptions = {},
  ) {
    this.log = options.log ?? jsonStderrLog;
  }

  current(): ReadonlyMap<string, StoredDefinition> {
    return this.definitions;
  }

  onChange(listener: DefinitionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.consumer) throw new Error('the definition feed is already started');
    const targets = await this.endOffsets();
    const consumed = new Map<number, number>();
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    const checkCaughtUp = () => {
      for (const [partition, end] of targets) {
        if ((consumed.get(partition) ?? 0) < end) return;
      }
      caughtUp();
    };

    const consumer = this.kafka.consumer({
      groupId: `flint-definition-feed-${randomUUID()}`,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        this.apply(message.key?.toString('utf8'), message.value);
        consumed.set(partition, Number(message.offset) + 1);
        checkCaughtUp();
      },
    });
    checkCaughtUp();

    const timeoutMs = this.options.startTimeoutMs ?? 60000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`could not read ${this.topic} to its end within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([ready, timeout]);
    } catch (err) {
      await this.stop();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  /**
   * The offset after the last record of each partition; compaction may leave gaps below it. Retried
   * while the broker answers with a retriable error, as it does while a new topic elects its leaders.
   */
  private async endOffsets(): Promise<Map<number, number>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const offsets = await admin.fetchTopicOffsets(this.topic);
          return new Map(
            offsets
              .filter((o) => Number(o.high) > Number(o.low))
              .map((o) => [o.partition, Number(o.high)]),
          );
        } catch (err) {
          if (!(err as { retriable?: boolean }).retriable || attempt >= 20) throw err;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private apply(key: string | undefined, value: Buffer | null): void {
    const match = key ? KEY.exec(key) : null;
    if (!key || !match) {
      this.log('warn', 'ignoring a record on the triggers topic without a kind:id key', {
        topic: this.topic,
        key,
      });
      return;
    }
    const [, kind, id] = match as unknown as [string, DefinitionKind, string];
    const previous = this.definitions.get(key);
    if (value === null) {
      if (!previous) return;
      this.definitions.delete(key);
      this.emit({ key, kind, id, previous });
      return;
    }
    const current = this.parse(key, value);
    if (!current) return;
    // The outbox may publish a change twice; an older version never replaces a newer one.
    if (previous && previous.version >= current.version) return;
    this.definitions.set(key, current);
    this.emit({ key, kind, id, previous, current });
  }

  private parse(key: string, value: Buffer): StoredDefinition | undefined {
    let json: unknown;
    try {
      json = JSON.parse(value.toString('utf8'));
    } catch (err) {
      this.log('warn', 'ignoring a definition that is not JSON', { key, error: String(err) });
      return undefined;
    }
    const parsed = StoredDefinitionSchema.safeParse(json);
    if (!parsed.success) {
      this.log('warn', 'ignoring an invalid definition', {
        key,
        issues: formatZodIssues(parsed.error),
      });
      return undefined;
    }
    if (`${parsed.data.kind}:${parsed.data.id}` !== key) {
      this.log('warn', 'ignoring a definition whose key does not match its kind and id', { key });
      return undefined;
    }
    return parsed.data;
  }

  private emit(change: DefinitionChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.log('error', 'a definition listener failed', { key: change.key, error: String(err) });
      }
    }
  }
}
