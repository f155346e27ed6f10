import { randomUUID } from 'node:crypto';
import { DLQ_HEADERS, RunRequestSchema } from '@flint/contracts';
import { EventSigner } from '@flint/kafka';
import type { RunningService } from '@flint/service-kit';
import { waitFor } from '../../../support/kafka';
import { metricValue, RunnerTestBed, runRequest } from '../../runner/runner-harness';
import { TargetServer } from '../../runner/targets/target-server';
import { call, createKey, createWebhookTrigger, localTrigger, startApi } from '../api-harness';

const sfx = randomUUID().slice(0, 8);
/** The services' key: the api signs what it publishes with it, the evaluator would verify with it. */
const signingKey = `dead-letters-signing-key-${randomUUID()}`;
const signer = new EventSigner(signingKey);

/**
 * The dead-letter routes against a real runner, broker and database: the API indexes the
 * dead-letter topic, lists and filters it, re-sends to where each message came from, and purges.
 */
describe('dead letters: /api/dead-letters', () => {
  const bed = new RunnerTestBed('dead-letters');
  const server = new TargetServer();
  let api: RunningService;
  let runner: RunningService;

  beforeAll(async () => {
    await server.start();
    await bed.setUp('dead_letters');
    runner = await bed.startRunner();
    api = await startApi(bed.topics, {
      DATABASE_URL: bed.database.url,
      FLINT_API_DLQ_GROUP_ID: `dlq-index-${sfx}`,
      KAFKA_EVENT_SIGNING_KEY: signingKey,
    });
  });

  afterAll(async () => {
    await api?.stop();
    await bed.tearDown();
    await server.stop();
  });

  /** A dead letter as a consumer writes one: the original message plus the DLQ headers. */
  async function deadLetter(
    key: string,
    value: string,
    dlq: { reason: string; sourceTopic: string; sourceId?: string; origin?: string },
    headers: Record<string, string> = {},
  ): Promise<void> {
    await bed.producer.send(bed.topics.dlq, [
      {
        key,
        value,
        headers: {
          ...headers,
          [DLQ_HEADERS.reason]: dlq.reason,
          [DLQ_HEADERS.error]: `${dlq.reason}: ${key}`,
          [DLQ_HEADERS.sourceTopic]: dlq.sourceTopic,
          [DLQ_HEADERS.sourcePartition]: '0',
          [DLQ_HEADERS.sourceOffset]: '7',
          [DLQ_HEADERS.failedAt]: new Date().toISOString(),
          ...(dlq.sourceId ? { [DLQ_HEADERS.sourceId]: dlq.sourceId } : {}),
          ...(dlq.origin ? { [DLQ_HEADERS.origin]: dlq.origin } : {}),
        },
      },
    ]);
  }

  async function listed(query: string, count: number) {
    return waitFor(
      async () => {
        const page = await call(api.url, 'GET', `/api/dead-letters?${query}`);
        return page.status === 200 && page.body.items.length >= count ? page.body : undefined;
      },
      { description: `${count} dead letters for ${query}` },
    );
  }

  it('lists dead letters with their reasons, filtered and paged, shows one, and purges', async () => {
    const source = `dlq-src-${sfx}`;
    await deadLetter('a', 'not json', {
      reason: 'undecodable',
      sourceTopic: 'mqtt',
      sourceId: source,
      origin: 'sensors/1',
    });
    await deadLetter('b', '{"x":1}', {
      reason: 'invalid',
      sourceTopic: 'mqtt',
      sourceId: source,
      origin: 'sensors/2',
    });
    await deadLetter(
      'c',
      '{"x":2}',
      { reason: 'invalid', sourceTopic: 'mqtt', sourceId: source, origin: 'sensors/3' },
      { trace: 'kept' },
    );

    const all = await listed(`sourceId=${source}`, 3);
    expect(all.items.map((item: { key: string }) => item.key)).toEqual(['c', 'b', 'a']);
    expect(all.items[0]).toMatchObject({
      reason: 'invalid',
      error: 'invalid: c',
      sourceTopic: 'mqtt',
      sourceId: source,
      origin: 'sensors/3',
      resendable: false,
      resendCount: 0,
    });

    const invalid = await call(
      api.url,
      'GET',
      `/api/dead-letters?sourceId=${source}&reason=invalid`,
    );
    expect(invalid.body.items.map((item: { key: string }) => item.key)).toEqual(['c', 'b']);
    const first = await call(api.url, 'GET', `/api/dead-letters?sourceId=${source}&limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await call(
      api.url,
      'GET',
      `/api/dead-letters?sourceId=${source}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((item: { key: string }) => item.key)).toEqual(['a']);
    expect(second.body.nextCursor).toBeUndefined();
    const later = await call(
      api.url,
      'GET',
      `/api/dead-letters?sourceId=${source}&since=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(later.body.items).toEqual([]);

    const detail = await call(api.url, 'GET', `/api/dead-letters/${all.items[0].id}`);
    expect(detail.body).toMatchObject({
      key: 'c',
      value: '{"x":2}',
      valueEncoding: 'utf8',
      headers: { trace: 'kept' },
    });
    expect(Object.keys(detail.body.headers)).toEqual(['trace']);

    // Messages of a subscriber's upstream cannot be put back there by Flint.
    const refused = await call(api.url, 'POST', `/api/dead-letters/${all.items[0].id}/resend`);
    expect(refused.status).toBe(200);
    expect(refused.body.resent).toEqual([]);
    expect(refused.body.notResendable).toEqual([
      { id: all.items[0].id, why: expect.stringContaining('came from mqtt (sensors/3)') },
    ]);

    const purged = await call(api.url, 'DELETE', `/api/dead-letters/${all.items[2].id}`);
    expect(purged.body).toEqual({ purged: 1 });
    expect((await call(api.url, 'GET', `/api/dead-letters/${all.items[2].id}`)).status).toBe(404);
    expect((await call(api.url, 'DELETE', `/api/dead-letters/${all.items[2].id}`)).status).toBe(
      404,
    );
    const rest = await call(api.url, 'POST', '/api/dead-letters/purge', {
      body: { sourceId: source, reason: 'invalid' },
    });
    expect(rest.body).toEqual({ purged: 2 });
    expect((await call(api.url, 'GET', `/api/dead-letters?sourceId=${source}`)).body.items).toEqual(
      [],
    );
  });

  it('re-sends a dead event to the events topic as it was, marked as re-sent', async () => {
    const key = `dead-event-${sfx}`;
    await deadLetter(
      key,
      '{"broken": true}',
      { reason: 'undecodable', sourceTopic: bed.topics.events },
      { ce_id: key },
    );
    const page = await listed(`sourceTopic=${bed.topics.events}&resent=false`, 1);
    const letter = page.items.find((item: { key: string }) => item.key === key);
    expect(letter.resendable).toBe(true);

    const resent = await call(api.url, 'POST', '/api/dead-letters/resend', {
      body: { sourceTopic: bed.topics.events, resent: false },
    });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({
      resent: [{ id: letter.id, topic: bed.topics.events }],
      more: false,
    });
    const republished = await waitFor(() => bed.events.find((message) => message.key === key), {
      description: 'the event back on the events topic',
    });
    expect(republished.value).toBe('{"broken": true}');
    expect(republished.headers).toMatchObject({ ce_id: key, flint_resent_from: letter.id });
    expect(Object.keys(republished.headers).some((name) => name.startsWith('flint_dlq_'))).toBe(
      false,
    );
    const after = await call(api.url, 'GET', `/api/dead-letters/${letter.id}`);
    expect(after.body).toMatchObject({ resendCount: 1, resentAt: expect.any(String) });
  });

  it('re-sends an event with the trust it had: a foreign one stays unsigned, a signed one still verifies', async () => {
    const cloudEvent = (id: string) => ({
      key: id,
      value: `{"order":"${id}"}`,
      headers: {
        ce_specversion: '1.0',
        ce_id: id,
        ce_source: 'flint/webhook/shop',
        ce_type: 'order.created',
        ce_flintowner: 'payments',
        'content-type': 'application/json',
      },
    });
    const foreign = cloudEvent(`foreign-${sfx}`);
    const signed: { key: string; value: string; headers: Record<string, string> } = signer.sign(
      cloudEvent(`signed-${sfx}`),
    );
    for (const message of [foreign, signed]) {
      await deadLetter(
        message.key,
        message.value,
        { reason: 'processing-failed', sourceTopic: bed.topics.events },
        message.headers,
      );
    }
    const page = await listed(`sourceTopic=${bed.topics.events}&resent=false`, 2);
    for (const message of [foreign, signed]) {
      const letter = page.items.find((item: { key: string }) => item.key === message.key);
      expect((await call(api.url, 'POST', `/api/dead-letters/${letter.id}/resend`)).status).toBe(
        200,
      );
    }
    const verifies = (message: { headers: Record<string, string>; value: string | null }) =>
      signer.verify({
        headers: message.headers,
        value: message.value === null ? null : Buffer.from(message.value),
      });
    const back = async (key: string) =>
      waitFor(() => bed.events.find((message) => message.key === key), {
        description: `${key} back on the events topic`,
      });
    const foreignBack = await back(foreign.key);
    // Signed by the api, the foreign event's claimed owner would be believed by the evaluator.
    expect(foreignBack.headers.flint_signature).toBeUndefined();
    expect(verifies(foreignBack)).toBe(false);
    const signedBack = await back(signed.key);
    expect(signedBack.headers.flint_signature).toBe(signed.headers.flint_signature);
    expect(verifies(signedBack)).toBe(true);
  });

  it('re-sends a run that failed without starting, after its trigger was fixed: it starts exactly once', async () => {
    const owner = 'team-a';
    const trigger = `dlq-trigger-${sfx}`;
    const broken = server.route(`/broken-${sfx}`, () => ({
      status: 404,
      body: '{"error":"no such workflow"}',
    }));
    const fixedPath = `/fixed-${sfx}`;
    const fixed = server.route(fixedPath, () => ({ status: 202, body: '{"started":true}' }));
    await createWebhookTrigger(
      api.url,
      { owner, source: `${trigger}-hook`, trigger },
      {
        target: { type: 'http', url: broken },
      },
    );
    const failing = RunRequestSchema.parse(
      runRequest({
        runId: `${trigger}.first`,
        triggerId: trigger,
        owner,
        target: { type: 'http', url: broken, method: 'POST', headers: {}, timeoutMs: 10_000 },
        retry: {
          maxAttempts: 1,
          backoff: { initialMs: 100, maxMs: 100, multiplier: 1, jitter: 0 },
        },
      }),
    );
    await bed.send(failing);
    await bed.waitForStatus(failing.runId, 'FAILED');
    const page = await listed(`sourceTopic=${bed.topics.runs}`, 1);
    const letter = page.items.find((item: { key: string }) => item.key === failing.runId);
    expect(letter).toMatchObject({ reason: 'processing-failed', resendable: true });
    expect(letter.error).toContain(`run ${failing.runId} of trigger ${trigger} failed`);

    // The fix: the trigger points at the right workflow now.
    const fixedTrigger = await call(api.url, 'PUT', `/api/triggers/${trigger}`, {
      body: localTrigger(trigger, [`${trigger}-hook`], {
        owner,
        target: { type: 'http', url: fixed },
      }),
    });
    expect(fixedTrigger.status).toBe(200);

    const resent = await call(api.url, 'POST', `/api/dead-letters/${letter.id}/resend`);
    expect(resent.status).toBe(200);
    const [{ runId }] = resent.body.resent;
    expect(runId).toMatch(new RegExp(`^${trigger}\\.dlq-`));
    const run = await bed.waitForStatus(runId, 'SUCCEEDED');
    expect(run.rerunOf).toBe(failing.runId);
    expect(run.request.target).toMatchObject({ url: fixed });
    expect(run.input).toEqual(failing.input);
    expect(server.requestsTo(fixedPath)).toHaveLength(1);

    // Re-sending the same dead letter again asks for the same run: the runner starts nothing new.
    const duplicates = await metricValue(runner, 'triggers_run_requests_duplicate_total');
    const again = await call(api.url, 'POST', `/api/dead-letters/${letter.id}/resend`);
    expect(again.body.resent).toEqual([{ id: letter.id, topic: bed.topics.runs, runId }]);
    await waitFor(
      async () => (await metricValue(runner, 'triggers_run_requests_duplicate_total')) > duplicates,
      { description: 'the runner to recognise the repeated request' },
    );
    expect(server.requestsTo(fixedPath)).toHaveLength(1);
    expect((await call(api.url, 'GET', `/api/dead-letters/${letter.id}`)).body.resendCount).toBe(2);
  });

  it('refuses bad input clearly, and anyone but an admin', async () => {
    const badReason = await call(api.url, 'GET', '/api/dead-letters?resent=maybe');
    expect(badReason.status).toBe(400);
    expect(badReason.body.error.issues[0].path).toBe('resent');
    const badCursor = await call(api.url, 'GET', '/api/dead-letters?cursor=abc');
    expect(badCursor.status).toBe(400);
    expect((await call(api.url, 'GET', '/api/dead-letters/x1')).status).toBe(400);
    expect((await call(api.url, 'GET', '/api/dead-letters/999999999')).status).toBe(404);
    expect((await call(api.url, 'POST', '/api/dead-letters/999999999/resend')).status).toBe(404);
    const badBody = await call(api.url, 'POST', '/api/dead-letters/resend', {
      body: { limit: 5000 },
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.issues[0]).toMatchObject({ path: 'limit' });
    const unknownField = await call(api.url, 'POST', '/api/dead-letters/purge', {
      body: { everything: true },
    });
    expect(unknownField.status).toBe(400);

    const editor = await createKey(api.url, `dlq-editor-${sfx}`, 'editor', 'team-a');
    expect((await call(api.url, 'GET', '/api/dead-letters', { key: editor })).status).toBe(403);
  });
});
