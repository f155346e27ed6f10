import { createHmac, randomBytes } from 'node:crypto';
import type { RunningService } from '@flint/service-kit';
import { waitFor } from '../../../support/kafka';
import { startWebhook, waitForPath } from '../../providers/webhook/harness';
import { ADMIN_KEY, type TestTopics, call, startApi, testTopics } from '../api-harness';

const sfx = randomBytes(3).toString('hex');
const KEY_RING = `hooks-${sfx}:${randomBytes(32).toString('base64')}`;
const FIRST_VALUE = `first-hmac-${randomBytes(12).toString('hex')}`;
const SECOND_VALUE = `second-hmac-${randomBytes(12).toString('hex')}`;

const sign = (secret: string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** The webhook reads a secret set through the API from the encrypted store, not the environment. */
describe('a webhook verifying HMAC with a secret set through the API', () => {
  let topics: TestTopics;
  let api: RunningService;
  let webhook: RunningService;
  const secretName = `github.hook-${sfx}`;
  const sourceId = `signed-${sfx}`;

  /** Posts a fresh body with the signature `signature` computes for it. */
  const deliver = async (signature: (body: string) => string) => {
    const body = JSON.stringify({ action: 'opened', n: randomBytes(4).toString('hex') });
    const response = await fetch(`${webhook.url}/hooks/${sourceId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature(body) },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  const deliverSignedWith = (secret: string) => deliver((body) => sign(secret, body));

  const applySource = (id: string, owner: string) =>
    call(api.url, 'PUT', '/api/definitions', {
      key: ADMIN_KEY,
      body: {
        definitions: [
          {
            kind: 'source',
            id,
            owner,
            provider: 'webhook',
            config: { path: id, auth: { type: 'hmac-sha256', secretRef: secretName } },
          },
        ],
      },
    });

  beforeAll(async () => {
    topics = testTopics(`access-hook-${sfx}`);
    api = await startApi(topics, { FLINT_SECRETS_KEYS: KEY_RING });
    webhook = await startWebhook({
      FLINT_TOPIC_EVENTS: topics.events,
      FLINT_TOPIC_RUNS: topics.runs,
      FLINT_TOPIC_TRIGGERS: topics.triggers,
      FLINT_TOPIC_DLQ: topics.dlq,
      FLINT_SECRETS_KEYS: KEY_RING,
    });
  });

  afterAll(async () => {
    await api?.runtime.store.query('DELETE FROM secrets WHERE name = $1', [secretName]);
    await webhook?.stop();
    await api?.stop();
  });

  it('accepts a correctly signed call, refuses a wrong signature, and follows a new value', async () => {
    const stored = await call(api.url, 'PUT', `/api/secrets/${secretName}`, {
      body: { value: FIRST_VALUE, owner: 'hooks' },
    });
    expect(stored.status).toBe(201);
    const applied = await applySource(sourceId, 'hooks');
    expect(applied.status).toBe(200);
    await waitForPath(webhook, sourceId);

    const accepted = await deliverSignedWith(FIRST_VALUE);
    expect(accepted.status).toBe(202);
    const refused = await deliverSignedWith('not-the-secret');
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('signature does not match');
    const garbage = await deliver(() => 'sha256=00');
    expect(garbage.status).toBe(401);
    for (const text of [accepted.text, refused.text, garbage.text]) {
      expect(text).not.toContain(FIRST_VALUE);
    }

    const replaced = await call(api.url, 'PUT', `/api/secrets/${secretName}`, {
      body: { value: SECOND_VALUE },
    });
    expect(replaced.status).toBe(200);
    await waitFor(async () => (await deliverSignedWith(SECOND_VALUE)).status === 202, {
      description: 'the webhook to verify with the replaced secret',
      intervalMs: 500,
    });
    expect((await deliverSignedWith(FIRST_VALUE)).status).toBe(401);
  });

  it("does not lend a stored secret to another owner's source", async () => {
    const stolenId = `stolen-${sfx}`;
    expect((await applySource(stolenId, 'intruders')).status).toBe(200);
    await waitForPath(webhook, stolenId);
    const body = JSON.stringify({ action: 'opened' });
    const response = await fetch(`${webhook.url}/hooks/${stolenId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': sign(SECOND_VALUE, body),
      },
      body,
    });
    const text = await response.text();
    expect(response.status).toBe(500);
    expect(text).toContain('auth_not_configured');
    expect(text).not.toContain(SECOND_VALUE);
  });
});
