import type { StoredDefinition, TopicNames } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import { sourceMetric, waitForStatus } from '../../../support/provider-fixture';
import type { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../../support/kafka-client';
import {
  DefinitionPublisher,
  eventOnTopic,
  startWebhook,
  testTopics,
  topicEnv,
  waitForGone,
  waitForPath,
  webhookSource,
} from './harness';

interface Answer {
  status: number;
  json: { eventId?: string; error?: { code: string; message: string; issues?: unknown[] } };
  headers: Headers;
}

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

describe('webhook requests', () => {
  let kafka: Kafka;
  let topics: TopicNames;
  let definitions: DefinitionPublisher;
  let service: RunningService;

  const call = async (path: string, init: RequestInit = {}): Promise<Answer> => {
    const response = await fetch(`${service.url}/hooks/${path}`, { method: 'POST', ...init });
    return {
      status: response.status,
      json: (await response.json()) as Answer['json'],
      headers: response.headers,
    };
  };
  const postJson = (path: string, body: string, headers: Record<string, string> = {}) =>
    call(path, { body, headers: { 'content-type': 'application/json', ...headers } });
  const apply = async (...sources: StoredDefinition[]) => {
    for (const source of sources) await definitions.put(source);
  };

  beforeAll(async () => {
    kafka = kafkaForTest();
    topics = testTopics();
    definitions = new DefinitionPublisher(kafka, topics);
    await definitions.provision();
    service = await startWebhook(topicEnv(topics));
    await apply(
      webhookSource('open', { auth: { type: 'none' } }),
      webhookSource('small', { auth: { type: 'none' }, bodyLimitBytes: 1024 }),
      webhookSource('typed', {
        auth: { type: 'none' },
        jsonSchema: {
          type: 'object',
          required: ['action', 'items'],
          properties: {
            action: { type: 'string' },
            items: { type: 'array', items: { type: 'object', required: ['id'] } },
          },
        },
      }),
      webhookSource('limited', {
        auth: { type: 'none' },
        rateLimit: { perSecond: 0.01, burst: 2 },
      }),
      webhookSource('queries', { auth: { type: 'none' }, methods: ['GET', 'PUT'] }),
      webhookSource('ids', {
        auth: { type: 'none' },
        eventId: { bodyField: 'delivery.id' },
        eventType: { header: 'X-Event-Kind', prefix: 'partner.', fallback: 'partner.unknown' },
      }),
      webhookSource('nested-path', { auth: { type: 'none' }, path: 'team-a/orders' }),
      webhookSource('large', { auth: { type: 'none' }, bodyLimitBytes: 4 * 1024 * 1024 }),
    );
    for (const path of [
      'open',
      'small',
      'typed',
      'limited',
      'queries',
      'ids',
      'team-a/orders',
      'large',
    ]) {
      await waitForPath(service, path);
    }
  });

  afterAll(async () => {
    await service?.stop();
    await definitions?.close();
  });

  it('publishes a CloudEvent keyed by the source id, with every Flint attribute, after Kafka acked', async () => {
    const before = Date.now();
    const answer = await postJson('open', '{"order":{"id":7}}');
    expect(answer.status).toBe(202);
    const eventId = answer.json.eventId!;
    const message = await eventOnTopic(kafka, topics.events, eventId);
    expect(message.key?.toString()).toBe('open');
    expect(JSON.parse(message.value!.toString())).toEqual({ order: { id: 7 } });
    expect(message.headers).toEqual({
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: eventId,
      ce_source: 'open',
      ce_type: 'flint.webhook.received',
      ce_time: expect.any(String),
      ce_flintsourceid: 'open',
      ce_partitionkey: 'open',
      ce_flintprovider: 'webhook',
      ce_flintacceptedat: expect.any(String),
      traceparent: expect.stringMatching(TRACEPARENT),
    });
    const acceptedAt = Date.parse(message.headers.ce_flintacceptedat);
    expect(acceptedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(acceptedAt).toBeLessThanOrEqual(Date.now());

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    const received = /triggers_events_received_total\{[^}]*provider="webhook"[^}]*\} (\d+)/.exec(
      metrics,
    );
    expect(Number(received?.[1])).toBeGreaterThanOrEqual(1);
  });

  it("shows refused calls in the source's status and metrics until a call is accepted", async () => {
    await apply(
      webhookSource('health', {
        auth: { type: 'none' },
        jsonSchema: { type: 'object', required: ['order'] },
      }),
    );
    await waitForPath(service, 'health');
    expect((await postJson('health', '{"wrong":1}')).status).toBe(422);
    expect((await postJson('health', '{"wrong":2}')).status).toBe(422);
    const failing = await waitForStatus(
      service,
      'health',
      (status) => status.consecutiveFailures === 2,
      'two refused calls',
    );
    expect(failing).toMatchObject({
      state: 'running',
      lastError:
        "a call was refused with 422 schema_mismatch: the body does not match the webhook's JSON Schema",
      lastErrorAt: expect.any(Date),
    });
    expect(failing.lastSuccessAt).toBeUndefined();
    expect(await sourceMetric(service, 'flint_source_up', 'health')).toBe(0);
    expect(await sourceMetric(service, 'flint_source_failures_total', 'health')).toBe(2);

    expect((await postJson('health', '{"order":1}')).status).toBe(202);
    const recovered = await waitForStatus(
      service,
      'health',
      (status) => status.consecutiveFailures === 0,
      'an accepted call',
    );
    expect(recovered.lastSuccessAt).toEqual(expect.any(Date));
    expect(recovered.lastError).toBe(failing.lastError);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toContain(
      'flint_source_up{source="health",provider="webhook",service="webhook"} 1',
    );
  });

  it('serves a nested path and ignores a trailing slash and a query string', async () => {
    expect((await postJson('team-a/orders/?x=1', '{}')).status).toBe(202);
  });

  describe('bodies', () => {
    it('turns a form into a JSON object, a repeated field into an array', async () => {
      const answer = await call('open', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=flint&tag=a&tag=b&empty=',
      });
      expect(answer.status).toBe(202);
      const message = await eventOnTopic(kafka, topics.events, answer.json.eventId!);
      expect(message.headers['content-type']).toBe('application/json');
      expect(JSON.parse(message.value!.toString())).toEqual({
        name: 'flint',
        tag: ['a', 'b'],
        empty: '',
      });
    });

    it('passes any other body on as the exact bytes with its content type', async () => {
      const bytes = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13]);
      const answer = await call('open', {
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      expect(answer.status).toBe(202);
      const message = await eventOnTopic(kafka, topics.events, answer.json.eventId!);
      expect(message.headers['content-type']).toBe('application/octet-stream');
      expect(Buffer.compare(message.value!, bytes)).toBe(0);
    });

    it('refuses malformed JSON with 400 and says why', async () => {
      const answer = await postJson('open', '{"order": ');
      expect(answer.status).toBe(400);
      expect(answer.json.error).toEqual({
        code: 'invalid_request',
        message: expect.stringMatching(
          /^the body is not valid JSON \(content type application\/json\): /,
        ),
      });
    });

    it('refuses with 422 a well-formed body that no later step could carry, and publishes nothing', async () => {
      const deep = await postJson('open', `${'['.repeat(3000)}${']'.repeat(3000)}`);
      expect(deep.status).toBe(422);
      expect(deep.json.error).toEqual({
        code: 'unprocessable_body',
        message: expect.stringMatching(/^the body at (\[0\])+ nests deeper than 100 levels$/),
      });
      const nul = await postJson('open', '{"kind":"a\\u0000b"}');
      expect(nul.status).toBe(422);
      expect(nul.json.error?.message).toBe('the body at kind contains a NUL character (\\u0000)');
      const query = await call('queries?kind=a%00b', { method: 'GET' });
      expect(query.status).toBe(422);
      expect(query.json.error?.message).toBe('the body at kind contains a NUL character (\\u0000)');
      // JSON.parse lets an unpaired surrogate escape through; PostgreSQL would refuse the event later.
      const surrogate = await postJson('open', '{"kind":"a\\ud800b"}');
      expect(surrogate.status).toBe(422);
      expect(surrogate.json.error?.message).toMatch(
        /^the body at kind contains a lone UTF-16 surrogate/,
      );
    });

    it('refuses a body over the source limit with 413, declared or streamed', async () => {
      const atLimit = JSON.stringify({ pad: 'x'.repeat(1024 - 10) });
      expect(Buffer.byteLength(atLimit)).toBe(1024);
      expect((await postJson('small', atLimit)).status).toBe(202);

      const declared = await postJson('small', JSON.stringify({ pad: 'x'.repeat(2000) }));
      expect(declared.status).toBe(413);
      expect(declared.json.error).toEqual({
        code: 'payload_too_large',
        message: "the body is larger than this webhook's limit of 1024 bytes",
      });

      const chunks = [Buffer.alloc(700, 'a'), Buffer.alloc(700, 'b')];
      const streamed = await call('small', {
        headers: { 'content-type': 'application/octet-stream' },
        body: new ReadableStream({
          pull(controller) {
            const chunk = chunks.shift();
            if (chunk) controller.enqueue(chunk);
            else controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
    });

    it('refuses a body over the default limit of 1 MiB', async () => {
      const answer = await call('open', {
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(1024 * 1024 + 1),
      });
      expect(answer.status).toBe(413);
      expect(answer.json.error?.message).toBe(
        "the body is larger than this webhook's limit of 1048576 bytes",
      );
    });

    it('answers 413, not 503, for a body within the source limit that Kafka refuses as too large', async () => {
      const answer = await call('large', {
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(2 * 1024 * 1024, 'z'),
      });
      expect(answer.status).toBe(413);
      expect(answer.json.error).toEqual({
        code: 'payload_too_large',
        message: 'the event is larger than Kafka accepts',
      });
      expect((await postJson('large', '{}')).status).toBe(202);
    });
  });

  describe('JSON Schema', () => {
    it('accepts a matching body', async () => {
      expect((await postJson('typed', '{"action":"opened","items":[{"id":1}]}')).status).toBe(202);
    });

    it('refuses a body that does not match with 422 and the failing paths', async () => {
      const answer = await postJson('typed', '{"action":5,"items":[{"id":1},{"name":"x"}]}');
      expect(answer.status).toBe(422);
      expect(answer.json.error).toEqual({
        code: 'schema_mismatch',
        message: "the body does not match the webhook's JSON Schema",
        issues: [
          { path: 'action', message: 'must be string' },
          { path: 'items[1].id', message: 'is required' },
        ],
      });
    });
  });

  describe('paths and methods', () => {
    it('answers 404 for a path no source serves', async () => {
      const answer = await postJson('nobody-here', '{}');
      expect(answer.status).toBe(404);
      expect(answer.json.error).toEqual({
        code: 'not_found',
        message: 'no enabled webhook source has the path "nobody-here"',
      });
    });

    it('answers 405 with Allow for a method the source does not accept', async () => {
      const answer = await call('open', { method: 'PUT', body: '{}' });
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe('POST');
      expect(answer.json.error?.code).toBe('method_not_allowed');
      expect((await call('queries', { method: 'POST', body: '{}' })).status).toBe(405);
    });

    it('accepts GET where allowed, the query string as data', async () => {
      const answer = await call('queries?status=ok&n=1', { method: 'GET' });
      expect(answer.status).toBe(202);
      const message = await eventOnTopic(kafka, topics.events, answer.json.eventId!);
      expect(JSON.parse(message.value!.toString())).toEqual({ status: 'ok', n: '1' });
      expect(
        (
          await call('queries', {
            method: 'PUT',
            body: 'raw',
            headers: { 'content-type': 'text/plain' },
          })
        ).status,
      ).toBe(202);
    });
  });

  describe('event id and type', () => {
    it('takes the id from the configured body field and the type from the configured header', async () => {
      const answer = await postJson('ids', '{"delivery":{"id":"d-981"}}', {
        'x-event-kind': 'order.paid',
      });
      expect(answer.json).toEqual({ eventId: 'd-981' });
      const message = await eventOnTopic(kafka, topics.events, 'd-981');
      expect(message.headers.ce_type).toBe('partner.order.paid');
    });

    it('falls back to a generated id and the fallback type', async () => {
      const answer = await postJson('ids', '{"delivery":{}}');
      expect(answer.status).toBe(202);
      const message = await eventOnTopic(kafka, topics.events, answer.json.eventId!);
      expect(answer.json.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(message.headers.ce_type).toBe('partner.unknown');
    });

    it('refuses a header that makes no valid event type', async () => {
      const answer = await postJson('ids', '{}', { 'x-event-kind': 'order paid!' });
      expect(answer.status).toBe(400);
      expect(answer.json.error?.message).toMatch(
        /header X-Event-Kind does not give a valid event type/,
      );
    });
  });

  it('limits the rate per source with 429 and Retry-After', async () => {
    expect((await postJson('limited', '{}')).status).toBe(202);
    expect((await postJson('limited', '{}')).status).toBe(202);
    const limited = await postJson('limited', '{}');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.json.error?.code).toBe('rate_limited');
    expect((await postJson('open', '{}')).status).toBe(202);
  });

  describe('live definition changes', () => {
    it('stops serving a disabled source and serves it again when enabled', async () => {
      await apply(webhookSource('toggle', { auth: { type: 'none' } }));
      await waitForPath(service, 'toggle');
      await apply(webhookSource('toggle', { auth: { type: 'none' } }, { enabled: false }));
      await waitForGone(service, 'toggle');
      expect((await postJson('toggle', '{}')).status).toBe(404);
      await apply(webhookSource('toggle', { auth: { type: 'none' } }));
      await waitForPath(service, 'toggle');
      expect((await postJson('toggle', '{}')).status).toBe(202);
    });

    it('moves a source to its new path and stops serving a deleted one', async () => {
      await apply(webhookSource('mover', { auth: { type: 'none' }, path: 'before' }));
      await waitForPath(service, 'before');
      await apply(webhookSource('mover', { auth: { type: 'none' }, path: 'after' }));
      await waitForPath(service, 'after');
      await waitForGone(service, 'before');
      await definitions.remove('source', 'mover');
      await waitForGone(service, 'after');
    });

    it('serves the inline webhook source of an enabled trigger only', async () => {
      const trigger = (enabled: boolean, version: number): StoredDefinition =>
        ({
          kind: 'trigger',
          id: 'inline-hook',
          owner: 'webhook-test',
          enabled,
          version,
          updatedAt: new Date().toISOString(),
          sources: [
            {
              id: 'inline-hook-source',
              owner: 'webhook-test',
              enabled: true,
              provider: 'webhook',
              config: {
                path: 'inline',
                methods: ['POST'],
                auth: { type: 'none' },
                eventType: 'flint.webhook.received',
                bodyLimitBytes: 1048576,
              },
            },
          ],
          target: { type: 'local', workflow: 'echo', timeoutMs: 30000 },
          retry: {
            maxAttempts: 3,
            backoff: { initialMs: 1000, maxMs: 60000, multiplier: 2, jitter: 0.2 },
          },
        }) as StoredDefinition;
      await apply(trigger(true, 1));
      await waitForPath(service, 'inline');
      const answer = await postJson('inline', '{}');
      expect(answer.status).toBe(202);
      const message = await eventOnTopic(kafka, topics.events, answer.json.eventId!);
      expect(message.key?.toString()).toBe('inline-hook-source');
      await apply(trigger(false, 2));
      await waitForGone(service, 'inline');
    });
  });
});
