import type { CloudEvent, PollerConfig, StoredDefinition, TopicNames } from '@flint/contracts';
import { DefinitionFeed, EventProducer, provisionTopics } from '@flint/kafka';
import {
  type Emit,
  EmitAbortedError,
  InvalidSourceError,
  ProviderRuntime,
  type SourceContext,
  type SourceProviderImpl,
} from '@flint/provider-sdk';
import { PostgresStore, type Store, runMigrations } from '@flint/store';
import type { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { kafkaForTest } from '../../support/kafka-client';
import { quietLog, readAllMessages, uniqueName, waitFor } from '../../support/kafka';
import { describeIfPostgres, testDatabaseUrl } from '../../support/postgres';
import { DefinitionPublisher } from '../providers/webhook/harness';

interface Prepared {
  url: string;
}

/** A provider that records what the runtime makes it do, and emits one event per start. */
class RecordingProvider implements SourceProviderImpl<'poller', Prepared> {
  readonly kind = 'poller';
  readonly starts: Array<{ id: string; version: number; url: string; replica: string }> = [];
  readonly active = new Map<string, string>();
  readonly emitted: CloudEvent[] = [];
  readonly afterStop: unknown[] = [];
  failuresLeft = 0;
  batch = 0;

  constructor(readonly exclusive = false) {}

  validate(config: PollerConfig): Prepared {
    const url = config.url ?? '';
    if (url.includes('invalid')) {
      throw new InvalidSourceError('config.url must not point at an invalid host');
    }
    return { url };
  }

  async run(ctx: SourceContext<'poller', Prepared>, emit: Emit): Promise<void> {
    const { source, config, replicaId, signal } = ctx;
    this.starts.push({
      id: source.id,
      version: source.version,
      url: config.url,
      replica: replicaId,
    });
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error('the test provider fails on purpose');
    }
    this.active.set(source.id, replicaId);
    const event = await emit({
      id: `${source.id}-${this.starts.length}`,
      type: 'test.started',
      subject: config.url,
      data: { url: config.url },
    });
    this.emitted.push(event);
    if (this.batch > 0) {
      const events = await emit.many(
        Array.from({ length: this.batch }, (_, n) => ({ type: 'test.batch', data: { n } })),
      );
      this.emitted.push(...events);
    }
    // The stop may have come while the emits were still on their way to Kafka.
    if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    }
    this.active.delete(source.id);
    await emit({ type: 'test.too-late' }).catch((err: unknown) => this.afterStop.push(err));
  }
}

let version = 1;

function pollerSource(
  id: string,
  url: string,
  enabled = true,
  ownVersion?: number,
): StoredDefinition {
  return {
    kind: 'source',
    id,
    owner: 'sdk-test',
    enabled,
    version: ownVersion ?? version++,
    updatedAt: new Date().toISOString(),
    provider: 'poller',
    config: {
      url,
      method: 'GET',
      headers: {},
      intervalSeconds: 60,
      jitterSeconds: 0,
      itemsPath: '$',
      itemKey: 'item.id',
      timeoutMs: 10000,
    },
  } as StoredDefinition;
}

describeIfPostgres('ProviderRuntime', () => {
  let kafka: Kafka;
  let store: Store;
  let producer: EventProducer;
  let topics: TopicNames;
  let definitions: DefinitionPublisher;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    kafka = kafkaForTest('provider-sdk-test');
    store = new PostgresStore({ url: testDatabaseUrl(), poolMax: 4 });
    await runMigrations(store);
    producer = new EventProducer(kafka);
  });

  beforeEach(async () => {
    const run = uniqueName('sdk');
    topics = {
      events: `${run}-events`,
      runs: `${run}-runs`,
      triggers: `${run}-triggers`,
      dlq: `${run}-dlq`,
    };
    await provisionTopics(kafka, topics, { partitions: 2, replicationFactor: 1 });
    definitions = new DefinitionPublisher(kafka, topics);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await definitions.close();
  });

  afterAll(async () => {
    await producer.disconnect();
    await store.close();
  });

  /** What the runtimes logged, as `level: message`. */
  let logged: string[] = [];
  beforeEach(() => {
    logged = [];
  });

  async function startRuntime(provider: RecordingProvider, replicaId = 'replica-a') {
    const feed = new DefinitionFeed(kafka, topics.triggers, { log: quietLog });
    await feed.start();
    const registry = new Registry();
    const runtime = new ProviderRuntime({
      provider,
      definitions: feed,
      producer,
      eventsTopic: topics.events,
      store,
      registry,
      replicaId,
      log: (level, message) => logged.push(`${level}: ${message}`),
      leaseTtlMs: 1500,
      restartBackoff: { initialMs: 100, maxMs: 200 },
    });
    await runtime.start();
    cleanups.push(async () => {
      await runtime.stop();
      await feed.stop();
    });
    return { runtime, registry };
  }

  it('runs a source added while running and publishes its events once Kafka acked them', async () => {
    const provider = new RecordingProvider();
    await startRuntime(provider);
    await definitions.put(pollerSource('orders', 'https://api.example.com/orders'));
    await waitFor(() => provider.emitted.length === 1, { description: 'the first event' });

    // emit resolved, so the event is already on the topic.
    const messages = await readAllMessages(kafka, topics.events);
    expect(messages).toHaveLength(1);
    expect(messages[0].key?.toString()).toBe('orders');
    expect(messages[0].headers).toMatchObject({
      ce_id: 'orders-1',
      ce_type: 'test.started',
      ce_subject: 'https://api.example.com/orders',
      ce_source: 'orders',
      ce_flintsourceid: 'orders',
      ce_flintprovider: 'poller',
      'content-type': 'application/json',
    });
    expect(messages[0].headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(provider.emitted[0]).toMatchObject({ id: 'orders-1', flintsourceid: 'orders' });
  });

  it('restarts a changed source, but not for a new version of the same definition', async () => {
    const provider = new RecordingProvider();
    const { runtime } = await startRuntime(provider);
    await definitions.put(pollerSource('orders', 'https://a.example.com'));
    await waitFor(() => provider.active.has('orders'), { description: 'the source to run' });

    const sameAgain = pollerSource('orders', 'https://a.example.com');
    await definitions.put(sameAgain);
    await waitFor(() => runtime.statuses()[0]?.version === sameAgain.version, {
      description: 'the new version to be seen',
    });
    expect(provider.starts).toHaveLength(1);

    await definitions.put(pollerSource('orders', 'https://b.example.com'));
    await waitFor(() => provider.starts.length === 2, { description: 'a restart' });
    expect(provider.starts.map((start) => start.url)).toEqual([
      'https://a.example.com',
      'https://b.example.com',
    ]);
    expect(provider.active.get('orders')).toBe('replica-a');
  });

  it('stops a disabled source and a deleted one, and an emit after the stop is refused', async () => {
    const provider = new RecordingProvider();
    const { runtime } = await startRuntime(provider);
    await definitions.put(pollerSource('one', 'https://one.example.com'));
    await definitions.put(pollerSource('two', 'https://two.example.com'));
    // Both first events are in Kafka: each run now waits for its stop, whatever the load.
    await waitFor(() => provider.active.size === 2 && provider.emitted.length === 2, {
      description: 'both sources to run and publish',
    });

    await definitions.put(pollerSource('one', 'https://one.example.com', false));
    await waitFor(() => !provider.active.has('one'), {
      description: 'the disabled one to stop',
      timeoutMs: 90_000,
    });
    await definitions.remove('source', 'two');
    await waitFor(() => provider.active.size === 0, {
      description: 'the deleted one to stop',
      timeoutMs: 90_000,
    });
    expect(runtime.statuses()).toEqual([]);
    await waitFor(() => provider.afterStop.length === 2, { description: 'late emits' });
    expect(provider.afterStop.every((err) => err instanceof EmitAbortedError)).toBe(true);
  });

  it('runs the inline sources of enabled triggers', async () => {
    const provider = new RecordingProvider();
    await startRuntime(provider);
    const trigger = (enabled: boolean, triggerVersion: number) =>
      ({
        kind: 'trigger',
        id: 'sync',
        owner: 'sdk-test',
        enabled,
        version: triggerVersion,
        updatedAt: new Date().toISOString(),
        sources: [
          'some-other-source',
          {
            id: 'sync-source',
            owner: 'sdk-test',
            enabled: true,
            provider: 'poller',
            config: {
              url: 'https://inline.example.com',
              method: 'GET',
              headers: {},
              intervalSeconds: 60,
              jitterSeconds: 0,
              itemsPath: '$',
              itemKey: 'item.id',
              timeoutMs: 10000,
            },
          },
        ],
        target: { type: 'local', workflow: 'echo', timeoutMs: 30000 },
        retry: {
          maxAttempts: 3,
          backoff: { initialMs: 1000, maxMs: 60000, multiplier: 2, jitter: 0.2 },
        },
      }) as StoredDefinition;
    await definitions.put(trigger(true, 1));
    await waitFor(() => provider.active.has('sync-source') && provider.emitted.length === 1, {
      description: 'the inline source to run and publish',
    });
    expect(provider.starts[0]).toMatchObject({ id: 'sync-source', version: 1 });
    await definitions.put(trigger(false, 2));
    await waitFor(() => provider.active.size === 0, { description: 'the inline source to stop' });
  });

  it('does not run an invalid source and says why', async () => {
    const provider = new RecordingProvider();
    const { runtime } = await startRuntime(provider);
    await definitions.put(pollerSource('broken', 'https://invalid.example.com', true, 7));
    await waitFor(() => runtime.statuses().length === 1, { description: 'the source status' });
    expect(runtime.statuses()).toEqual([
      {
        id: 'broken',
        version: 7,
        state: 'invalid',
        error: 'config.url must not point at an invalid host',
        consecutiveFailures: 0,
      },
    ]);
    expect(provider.starts).toEqual([]);
    expect(logged).toContain(
      'error: source is invalid and will not run: config.url must not point at an invalid host',
    );
  });

  it('starts a failed run loop again after a backoff', async () => {
    const provider = new RecordingProvider();
    provider.failuresLeft = 2;
    const { runtime } = await startRuntime(provider);
    await definitions.put(pollerSource('flaky', 'https://flaky.example.com'));
    await waitFor(() => provider.active.has('flaky'), { description: 'the third run to work' });
    expect(provider.starts).toHaveLength(3);
    // The failed runs stay visible after it recovers, until an attempt of the provider succeeds.
    expect(runtime.statuses()[0]).toMatchObject({
      id: 'flaky',
      state: 'running',
      consecutiveFailures: 2,
      lastError: 'the test provider fails on purpose',
    });
    expect(logged.filter((line) => line.startsWith('error: source failed'))).toEqual([
      expect.stringMatching(/restarting in \d+ ms: the test provider fails on purpose$/),
      expect.stringMatching(/restarting in \d+ ms: the test provider fails on purpose$/),
    ]);
  });

  it('publishes a batch with emit.many and counts every event received', async () => {
    const provider = new RecordingProvider();
    provider.batch = 25;
    const { registry } = await startRuntime(provider);
    await definitions.put(pollerSource('bulk', 'https://bulk.example.com'));
    await waitFor(() => provider.emitted.length === 26, { description: 'all events' });
    const messages = await readAllMessages(kafka, topics.events);
    expect(messages.filter((m) => m.headers.ce_type === 'test.batch')).toHaveLength(25);
    expect(new Set(messages.map((m) => m.headers.ce_id)).size).toBe(26);
    const metric = await registry.getSingleMetric('triggers_events_received_total')!.get();
    expect(metric.values).toEqual([
      expect.objectContaining({ labels: { provider: 'poller' }, value: 26 }),
    ]);
  });

  it('runs an exclusive source on one replica, and on the other once the first stops', async () => {
    const provider = new RecordingProvider(true);
    const first = await startRuntime(provider, 'replica-a');
    await definitions.put(pollerSource('single', 'https://single.example.com'));
    await waitFor(() => provider.active.get('single') === 'replica-a', {
      description: 'replica-a',
    });
    const second = await startRuntime(provider, 'replica-b');
    await waitFor(() => second.runtime.statuses()[0]?.state === 'waiting-for-lease', {
      description: 'replica-b to wait for the lease',
    });
    expect(provider.starts.map((start) => start.replica)).toEqual(['replica-a']);

    await first.runtime.stop();
    await waitFor(() => provider.active.get('single') === 'replica-b', {
      description: 'replica-b to take over',
    });
    expect(provider.starts.map((start) => start.replica)).toEqual(['replica-a', 'replica-b']);
  });
});
