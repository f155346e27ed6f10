import { randomUUID } from 'node:crypto';
import { decodeCloudEvent } from '@flint/kafka';
import type { RunningService } from '@flint/service-kit';
import { kafkaForTest } from '../../../support/kafka-client';
import { readAllMessages } from '../../../support/kafka';
import {
  createScratchDatabase,
  postgresAvailable,
  type ScratchDatabase,
} from '../../../support/postgres';
import { ADMIN_KEY, type TestTopics, call, createKey, startApi, testTopics } from '../api-harness';

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
    const messages = await readAllMessages(kafkaForTest(), topics.events);
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
    // An admin key's events belong to owner "default"; the same id twice is two messages for the
    // evaluator's dedupe.
    const repeated = events.filter((e) => e.event.id === `order-${sfx}`);
    expect(repeated).toHaveLength(2);
    expect(repeated[0]!.event.flintowner).toBe('default');
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
    // Flint's own types cannot be faked, and an editor speaks for its own owner only.
    const reserved = await http('POST', '/api/events', { body: { type: 'flint.run.failed' } });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.issues).toEqual([
      {
        path: 'type',
        message:
          'types starting with "flint." are reserved for the events Flint\'s own services publish',
      },
    ]);
    const elsewhere = await http('POST', '/api/events', {
      key: keys.editor,
      body: { type: 'com.example.x', owner: 'someone-else' },
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.message).toContain('someone-else');
    expect((await http('POST', '/api/events', { key: null, body: { type: 'x' } })).status).toBe(
      401,
    );
  });

  it('refuses at the door what no later step could carry: 422 for deep or NUL data, 400 for bad ids', async () => {
    const raw = async (method: string, path: string, body?: string) => {
      const response = await fetch(new URL(path, api.url), {
        method,
        headers: {
          authorization: `Bearer ${keys.editor}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body,
      });
      return {
        status: response.status,
        body: (await response.json()) as { error: { code: string; message: string } },
      };
    };
    // 8,000 levels once overflowed JSON.stringify in the Kafka binding and answered 500.
    const deep = await raw(
      'POST',
      '/api/events',
      `{"type":"com.example.deep","data":${'['.repeat(8000)}${']'.repeat(8000)}}`,
    );
    expect(deep.status).toBe(422);
    expect(deep.body.error.code).toBe('unprocessable_body');
    expect(deep.body.error.message).toMatch(
      /^the request body at data(\[0\])+ nests deeper than 100 levels$/,
    );
    const nul = await raw(
      'POST',
      '/api/events',
      '{"type":"com.example.nul","data":{"kind":"a\\u0000b"}}',
    );
    expect(nul).toEqual({
      status: 422,
      body: {
        error: {
          code: 'unprocessable_body',
          message: 'the request body at data.kind contains a NUL character (\\u0000)',
        },
      },
    });
    for (const [method, path] of [
      ['GET', '/api/sources/a%00b'],
      ['GET', '/api/triggers/%00/runs'],
      ['GET', '/api/runs/%00'],
      ['DELETE', '/api/keys/%00'],
      ['GET', '/api/secrets/a%00b'],
    ] as const) {
      const answer = await raw(method, path);
      expect({ path, status: answer.status, code: answer.body.error.code }).toEqual({
        path,
        status: 400,
        code: 'invalid_path',
      });
    }
    for (const path of [
      '/api/sources/UPPER',
      '/api/triggers/UPPER',
      '/api/runs/no-dot',
      '/api/triggers/UPPER/runs',
    ]) {
      const answer = await raw('GET', path);
      expect({ path, status: answer.status }).toEqual({ path, status: 400 });
      expect(answer.body.error.message).not.toContain('internal');
    }
    const revoke = await fetch(new URL('/api/keys/not-a-key-id', api.url), {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(revoke.status).toBe(400);
  });
});

describe('custom events while Kafka is unreachable', () => {
  let api: RunningService;
  let database: ScratchDatabase | undefined;

  beforeAll(async () => {
    // A database of its own: this API's outbox relay, with no broker to publish to, would hold the
    // relay lock of the run's database, and so hold up the relays of test files running beside it.
    database = postgresAvailable() ? await createScratchDatabase('events_down') : undefined;
    api = await startApi(testTopics('events-down'), {
      ...(database ? { DATABASE_URL: database.url } : {}),
      KAFKA_BROKERS: '127.0.0.1:1',
      FLINT_API_PUBLISH_TIMEOUT_MS: '500',
    });
  });

  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  });

  it('answers 503 with Retry-After and accepts nothing', async () => {
    const refused = await call(api.url, 'POST', '/api/events', { body: { type: 'com.example.x' } });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.body.error.code).toBe('kafka_unavailable');
  });
});
