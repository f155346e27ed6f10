import { MAX_JSON_DEPTH, type TopicNames } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import fc from 'fast-check';
import { kafkaForTest } from '../../../support/kafka-client';
import {
  DefinitionPublisher,
  startWebhook,
  testTopics,
  topicEnv,
  waitForPath,
  webhookSource,
} from './harness';

const BODY_LIMIT = 4096;

/** Text that fetch can carry in a header: visible ASCII, spaces and tabs inside. */
const headerText = fc
  .array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: 1, maxLength: 300 })
  .map((codes) => String.fromCharCode(...codes).trim())
  .filter((text) => text !== '');

const path = fc
  .oneof(
    fc.constantFrom('open', 'signed', 'open/', 'open?x=1', 'signed/extra'),
    fc
      .array(
        fc.oneof(
          fc.constantFrom('open', 'signed', '..', '.', '%2e%2e', '%2F', '%00', '%ff', 'é', '%', ''),
          fc.string({ maxLength: 12 }).map(encodeURIComponent),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((segments) => segments.join('/')),
    fc.string({ minLength: 300, maxLength: 2000 }).map(encodeURIComponent),
    // What URL parsing resolves out of /hooks/ (`%2e%2e`) reaches other routes: not this test's subject.
  )
  .filter((candidate) => new URL(`/hooks/${candidate}`, 'http://h').pathname.startsWith('/hooks/'));

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const body = fc.oneof(
  fc.json({ maxDepth: 5 }),
  fc.string({ maxLength: 500 }),
  fc.uint8Array({ maxLength: 500 }).map((bytes) => Buffer.from(bytes)),
  fc.integer({ min: MAX_JSON_DEPTH - 2, max: MAX_JSON_DEPTH + 2 }).map(nested),
  fc.integer({ min: 1000, max: 3000 }).map(nested),
  fc
    .integer({ min: BODY_LIMIT - 20, max: BODY_LIMIT + 20 })
    .map((size) => JSON.stringify({ pad: 'x'.repeat(Math.max(0, size - 10)) })),
  fc.constant('{"kind":"a\\u0000b"}'),
  fc.constant(''),
);

const request = fc.record({
  path,
  method: fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
  contentType: fc.option(
    fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-8',
        'application/x-www-form-urlencoded',
        'text/plain',
        'application/cloudevents+json',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
      ),
      headerText,
    ),
    { nil: undefined },
  ),
  headers: fc.dictionary(
    fc.oneof(
      fc.constantFrom('x-hub-signature-256', 'idempotency-key', 'traceparent', 'x-github-event'),
      fc.stringMatching(/^x-[a-z0-9-]{1,30}$/),
    ),
    headerText,
    { maxKeys: 5 },
  ),
  body,
});

describe('the webhook under generated requests', () => {
  let topics: TopicNames;
  let definitions: DefinitionPublisher;
  let service: RunningService;

  beforeAll(async () => {
    topics = testTopics();
    definitions = new DefinitionPublisher(kafkaForTest(), topics);
    await definitions.provision();
    service = await startWebhook({ ...topicEnv(topics), FLINT_SECRET_FUZZ_HMAC: 'fuzz-secret' });
    const sources = [
      webhookSource('open', {
        auth: { type: 'none' },
        methods: ['POST', 'PUT', 'GET'],
        bodyLimitBytes: BODY_LIMIT,
      }),
      webhookSource('signed', {
        auth: {
          type: 'hmac-sha256',
          secretRef: 'fuzz.hmac',
          header: 'X-Hub-Signature-256',
          prefix: 'sha256=',
        },
        bodyLimitBytes: BODY_LIMIT,
      }),
    ];
    for (const source of sources) await definitions.put(source);
    for (const source of sources) await waitForPath(service, source.id);
  });

  afterAll(async () => {
    await service?.stop();
    await definitions?.close();
  });

  it('never answers 5xx, and every refusal is a JSON error with a reason', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (generated) => {
        const canHaveBody = generated.method !== 'GET';
        const response = await fetch(`${service.url}/hooks/${generated.path}`, {
          method: generated.method,
          headers: {
            ...generated.headers,
            ...(generated.contentType === undefined
              ? {}
              : { 'content-type': generated.contentType }),
          },
          body: canHaveBody ? generated.body : undefined,
        });
        const text = await response.text();
        expect({ status: response.status, text }).toEqual({
          status: expect.any(Number),
          text: expect.any(String),
        });
        expect(response.status).toBeLessThan(500);
        const json = JSON.parse(text) as {
          eventId?: string;
          error?: { code: string; message: string };
        };
        if (response.status >= 400) {
          expect(json.error?.code).toMatch(/^[a-z_]+$/);
          expect(json.error?.message.length).toBeGreaterThan(0);
        } else {
          expect(response.status).toBe(202);
          expect(typeof json.eventId).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });
});
