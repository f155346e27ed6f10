import { randomUUID } from 'node:crypto';
import { decodeCloudEvent } from '@flint/kafka';
import type { RunningService } from '@flint/service-kit';
import { readAllMessages } from '../../support/kafka';
import {
  type TestTopics,
  call,
  createKey,
  startApi,
  testKafka,
  testTopics,
} from './definitions-harness';

const sfx = randomUUID().slice(0, 6);
const owner = `emitters-${sfx}`;

describe('custom events over HTTP', () => {
  let api: RunningService;
  let topics: TestTopics;
  const keys: Record<string, string> = {};
  const http = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(api.url, method, path, options);

  beforeAll(async () => {
    topics = testTopics('events');
    api = await startApi(topics);
    for (const role of ['editor', 'viewer']) {
      keys[role] = await createKey(api.url, role, role, owner);
    }
  });

  afterAll(() => api.stop());

  it('publishes a CloudEvent on the events topic before answering 202 with its id', async () => {
    const emitted = await http('POST', '/api/events', {
      key: keys.editor,
      body: { type: 'com.example.order.created', subject: 'orders/7', data: { orderId: 7 } },
    });
    expect(emitted.status).toBe(202);
    expect(emitted.body).toEqual({ eventId: expect.any(String) });

    const again = await http('POST', '/api/events', {
      body: { type: 'com.example.order.created', id: `order-${sfx}`, source: 'shop/checkout' },
    });
    const twice = await http('POST', '/api/events', {
      body: { type: 'com.example.order.created', id: `order-${sfx}`, source: 'shop/checkout' },
    });
    expect([again.body.eventId, twice.body.eventId]).toEqual([`order-${sfx}`, `order-${sfx}`]);

    // Answered 202 means acknowledged: the events are there without waiting.
    const messages = await readAllMessages(testKafka(), topics.events);
    const events = messages.map((message) => ({
      key: String(message.key),
      event: decodeCloudEvent(message),
    }));
    expect(events).toHaveLength(3);
    const first = events.find((e) => e.event.id === emitted.body.eventId)!;
    expect(first.key).toBe('api');
    expect(first.event).toMatchObject({
      specversion: '1.0',
      type: 'com.example.order.created',
      source: 'flint/api',
      subject: 'orders/7',
      data: { orderId: 7 },
      flintprovider: 'api',
      flintsourceid: 'api',
      flintowner: owner,
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-/),
    });
    // An admin key has no owner to record; the same id twice is two messages for the evaluator's dedupe.
    const repeated = events.filter((e) => e.event.id === `order-${sfx}`);
    expect(repeated).toHaveLength(2);
    expect(repeated[0]!.event).not.toHaveProperty('flintowner');
    expect(repeated[0]!.event.source).toBe('shop/checkout');
  });

  it('refuses a bad event with every problem by path, and viewers', async () => {
    const bad = await http('POST', '/api/events', {
      body: { type: 'has spaces', id: '', colour: 'red' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'colour',
      'id',
      'type',
    ]);
    const viewer = await http('POST', '/api/events', {
      key: keys.viewer,
      body: { type: 'com.example.x' },
    });
    expect(viewer.status).toBe(403);
    expect((await http('POST', '/api/events', { key: null, body: { type: 'x' } })).status).toBe(
      401,
    );
  });
});

describe('custom events while Kafka is unreachable', () => {
  let api: RunningService;

  beforeAll(async () => {
    api = await startApi(testTopics('events-down'), {
      KAFKA_BROKERS: '127.0.0.1:1',
      FLINT_API_PUBLISH_TIMEOUT_MS: '500',
    });
  });

  afterAll(() => api.stop());

  it('answers 503 with Retry-After and accepts nothing', async () => {
    const refused = await call(api.url, 'POST', '/api/events', { body: { type: 'com.example.x' } });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body.error.code).toBe('kafka_unavailable');
  });
});
