import { randomUUID } from 'node:crypto';
import { RunRequestSchema } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import { kafkaForTest } from '../../../support/kafka-client';
import { endOffsets, readAllMessages, waitFor } from '../../../support/kafka';
import {
  type TestTopics,
  call,
  createKey,
  createWebhookTrigger,
  startApi,
  testTopics,
} from '../api-harness';

const sfx = randomUUID().slice(0, 6);
const owner = `fire-${sfx}`;
const source = `pushes-${sfx}`;
const trigger = `deploy-${sfx}`;

describe('test-fire over HTTP', () => {
  let api: RunningService;
  let topics: TestTopics;
  const keys: Record<string, string> = {};
  const http = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(api.url, method, path, options);
  const fire = (body: unknown, key?: string) =>
    http('POST', `/api/triggers/${trigger}/test`, { body, ...(key ? { key } : {}) });

  beforeAll(async () => {
    topics = testTopics('test-fire');
    api = await startApi(topics);
    await createWebhookTrigger(
      api.url,
      { owner, source, trigger },
      {
        condition: "event.data.ref == 'refs/heads/main'",
        dedupe: { key: 'event.data.after' },
        input: { commit: 'event.data.after', size: 'size(event.data.commits)' },
      },
    );
    for (const [name, role, keyOwner] of [
      ['viewer', 'viewer', owner],
      ['stranger', 'editor', `other-${sfx}`],
    ]) {
      keys[name] = await createKey(api.url, name, role, keyOwner);
    }
  });

  afterAll(() => api.stop());

  const push = (ref: string, extra: Record<string, unknown> = {}) => ({
    data: { ref, after: 'abc123', commits: [{ id: 1 }, { id: 2 }], ...extra },
  });

  it('shows a match with its dedupe key, mapped input and run id, and starts nothing', async () => {
    const result = await fire({ event: push('refs/heads/main') });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      matched: true,
      dedupeKey: 'abc123',
      input: { commit: 'abc123', size: 2 },
      runId: expect.stringMatching(new RegExp(`^${trigger}\\.`)),
      started: false,
      event: {
        specversion: '1.0',
        flintsourceid: source,
        flintprovider: 'webhook',
        data: { ref: 'refs/heads/main' },
      },
    });
    expect(result.body).not.toHaveProperty('reason');
    expect(result.body.decision).toEqual({
      triggerId: trigger,
      triggerVersion: 1,
      outcome: 'matched',
      message: 'fired: a run was requested',
      runId: result.body.runId,
    });
    // A viewer may test what it may see.
    expect((await fire({ event: push('refs/heads/main') }, keys.viewer)).body.matched).toBe(true);
  });

  it('says why an event does not match: wrong source, false condition, failing condition', async () => {
    const wrongSource = await fire({
      event: { ...push('refs/heads/main'), flintsourceid: 'elsewhere' },
    });
    expect(wrongSource.body).toMatchObject({
      matched: false,
      started: false,
      reason: { code: 'not_listening' },
    });
    expect(wrongSource.body.reason.message).toContain(`listens to ${source}`);
    expect(wrongSource.body).not.toHaveProperty('runId');

    expect((await fire({ event: push('refs/heads/dev') })).body).toMatchObject({
      matched: false,
      reason: {
        code: 'condition_false',
        message: "the trigger's `condition` is false for this event",
      },
      // The record the evaluator archives: the false part and its operands' values.
      decision: {
        triggerId: trigger,
        outcome: 'condition_false',
        condition: {
          expression: "event.data.ref == 'refs/heads/main'",
          evaluated: "'refs/heads/dev' == 'refs/heads/main'",
          operands: [
            { expression: 'event.data.ref', value: "'refs/heads/dev'" },
            { expression: "'refs/heads/main'", value: "'refs/heads/main'" },
          ],
        },
      },
    });
    expect(wrongSource.body.decision).toMatchObject({ outcome: 'not_listening' });

    const erroring = await fire({ event: { data: { after: 'x' } } });
    expect(erroring.body).toMatchObject({ matched: false, reason: { code: 'condition_error' } });
    expect(erroring.body.reason.message).toContain('ref');

    const unmappable = await fire({ event: { data: { ref: 'refs/heads/main', after: 'x' } } });
    expect(unmappable.body).toMatchObject({ matched: false, reason: { code: 'input_error' } });
    expect(unmappable.body.reason.message).toContain('input.size');
  });

  it('tests an unsaved draft, validated like a definition with CEL error positions', async () => {
    const draft = {
      id: `draft-${sfx}`,
      owner,
      eventTypes: ['com.example.order.created'],
      condition: 'event.data.total > 100',
      target: { type: 'local', workflow: 'echo' },
      input: { total: 'event.data.total' },
    };
    const matched = await http('POST', '/api/triggers/test', {
      body: { trigger: draft, event: { data: { total: 250 } } },
    });
    expect(matched.status).toBe(200);
    expect(matched.body).toMatchObject({
      matched: true,
      input: { total: 250 },
      event: { type: 'com.example.order.created', flintprovider: 'api' },
    });

    const broken = await http('POST', '/api/triggers/test', {
      body: { trigger: { ...draft, condition: 'event.data.total >' }, event: {} },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error.issues).toEqual([
      {
        path: 'trigger.condition',
        message: expect.stringMatching(/line 1, column \d+/),
        position: { line: 1, column: expect.any(Number), offset: expect.any(Number) },
      },
    ]);

    const invalid = await http('POST', '/api/triggers/test', {
      body: { trigger: { ...draft, target: { type: 'local' }, sources: ['missing'] }, event: {} },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.issues.map((i: { path: string }) => i.path)).toContain(
      'trigger.target.workflow',
    );
  });

  it('refuses a bad request with every problem by path, and unknown triggers with 404', async () => {
    const bad = await fire({ event: { time: 'noon', flintprovider: 'Fax Machine' }, start: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual([
      'event.flintprovider',
      'event.time',
      'start',
    ]);
    expect(
      (await http('POST', `/api/triggers/nope-${sfx}/test`, { body: { event: {} } })).status,
    ).toBe(404);
    expect((await fire({ event: {} }, keys.stranger)).status).toBe(404);
  });

  it('with start, publishes the run request for the runner and returns its run id', async () => {
    const refused = await fire({ event: push('refs/heads/main'), start: true }, keys.viewer);
    expect(refused.status).toBe(403);

    const started = await fire({
      event: push('refs/heads/main', { after: 'def456' }),
      start: true,
    });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ matched: true, started: true, dedupeKey: 'def456' });

    const kafka = kafkaForTest();
    await waitFor(
      async () => {
        try {
          return [...(await endOffsets(kafka, topics.runs)).values()].some((end) => end > 0);
        } catch {
          return false;
        }
      },
      { timeoutMs: 60_000, description: 'the run request on the runs topic' },
    );
    // Every earlier test-fire started nothing: the started one is the only message.
    const messages = await readAllMessages(kafka, topics.runs);
    expect(messages).toHaveLength(1);
    const request = RunRequestSchema.parse(JSON.parse(String(messages[0]!.value)));
    expect(String(messages[0]!.key)).toBe(started.body.runId);
    expect(request).toMatchObject({
      runId: started.body.runId,
      triggerId: trigger,
      owner,
      input: { commit: 'def456', size: 2 },
      dedupeKey: 'def456',
    });
    expect(messages[0]!.headers.traceparent).toBe(request.traceparent);
  });

  it('does not start a disabled trigger', async () => {
    expect((await http('POST', `/api/triggers/${trigger}/disable`)).status).toBe(200);
    const refused = await fire({ event: push('refs/heads/main'), start: true });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('trigger_disabled');
    expect((await fire({ event: push('refs/heads/main') })).body.matched).toBe(true);
  });
});
