import type { StoredDefinition } from '@flint/contracts';
import { type DefinitionChange, DefinitionFeed, EventProducer } from '@flint/kafka';
import type { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../support/kafka-client';
import { createTestTopic, quietLog, waitFor } from '../../support/kafka';

const updatedAt = '2026-11-22T10:00:00.000Z';

function source(id: string, version: number, path = id): StoredDefinition {
  return {
    kind: 'source',
    id,
    owner: 'feed-test',
    enabled: true,
    version,
    updatedAt,
    provider: 'webhook',
    config: {
      path,
      methods: ['POST'],
      auth: { type: 'none' },
      bodyLimitBytes: 1048576,
    },
  } as StoredDefinition;
}

function trigger(id: string, version: number, sourceId: string): StoredDefinition {
  return {
    kind: 'trigger',
    id,
    owner: 'feed-test',
    enabled: true,
    version,
    updatedAt,
    sources: [sourceId],
    target: { type: 'local', workflow: 'echo', timeoutMs: 30000 },
    retry: {
      maxAttempts: 3,
      backoff: { initialMs: 1000, maxMs: 60000, multiplier: 2, jitter: 0.2 },
    },
  } as StoredDefinition;
}

describe('DefinitionFeed', () => {
  let kafka: Kafka;
  let producer: EventProducer;
  let topic: string;
  const feeds: DefinitionFeed[] = [];

  const publish = (key: string, value: unknown) =>
    producer.send(topic, [{ key, value: value === null ? null : JSON.stringify(value) }]);

  const openFeed = async () => {
    const feed = new DefinitionFeed(kafka, topic, { log: quietLog });
    feeds.push(feed);
    return feed;
  };

  beforeAll(async () => {
    kafka = kafkaForTest();
    producer = new EventProducer(kafka);
    await producer.connect();
  });

  beforeEach(async () => {
    topic = await createTestTopic(kafka, 'feed', {
      partitions: 2,
      config: { 'cleanup.policy': 'compact' },
    });
  });

  afterEach(async () => {
    await Promise.all(feeds.splice(0).map((f) => f.stop()));
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('starts on an empty topic', async () => {
    const feed = await openFeed();
    await feed.start();
    expect(feed.current().size).toBe(0);
  });

  it('reads the whole topic before start() resolves, skipping bad and stale records', async () => {
    await publish('source:a', source('a', 1));
    await publish('trigger:t', trigger('t', 1, 'a'));
    await publish('source:a', source('a', 2, 'a-moved'));
    await publish('source:a', source('a', 1));
    await publish('source:b', source('b', 1));
    await publish('source:b', null);
    await publish('source:bad', { kind: 'source', id: 'bad' });
    await publish('source:notjson', 'not json');
    await publish('nokind', source('x', 1));
    await publish('source:mismatch', source('other', 1));

    const feed = await openFeed();
    await feed.start();

    const current = feed.current();
    expect([...current.keys()].sort()).toEqual(['source:a', 'trigger:t']);
    expect(current.get('source:a')).toMatchObject({ version: 2, config: { path: 'a-moved' } });
  });

  it('applies later changes and deletions live, telling listeners what changed', async () => {
    await publish('source:a', source('a', 1));
    const feed = await openFeed();
    const changes: DefinitionChange[] = [];
    feed.onChange((change) => changes.push(change));
    await feed.start();
    expect(changes.map((c) => c.key)).toEqual(['source:a']);

    await publish('trigger:t', trigger('t', 1, 'a'));
    await publish('source:a', source('a', 2, 'a2'));
    await publish('trigger:t', null);
    await waitFor(() => changes.length === 4, { description: 'three more changes' });

    expect(changes[1]).toMatchObject({ key: 'trigger:t', kind: 'trigger', id: 't' });
    expect(changes[1].previous).toBeUndefined();
    expect(changes[2]).toMatchObject({
      key: 'source:a',
      previous: { version: 1 },
      current: { version: 2, config: { path: 'a2' } },
    });
    expect(changes[3]).toMatchObject({ key: 'trigger:t', previous: { version: 1 } });
    expect(changes[3].current).toBeUndefined();
    expect([...feed.current().keys()]).toEqual(['source:a']);
  });

  it('gives every feed the whole topic, as every replica needs all definitions', async () => {
    await publish('source:a', source('a', 1));
    await publish('source:b', source('b', 1));
    const first = await openFeed();
    const second = await openFeed();
    await Promise.all([first.start(), second.start()]);
    expect(first.current().size).toBe(2);
    expect(second.current().size).toBe(2);
  });
});
