import { createHmac } from 'node:crypto';
import type { TopicNames } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import type { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../../../support/kafka-client';
import {
  DefinitionPublisher,
  eventOnTopic,
  startWebhook,
  testTopics,
  topicEnv,
  waitForPath,
  webhookSource,
} from '../harness';

/** GitHub's documented example: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries */
const GITHUB_SECRET = "It's a Secret to Everybody";
const GITHUB_PAYLOAD = 'Hello, World!';
const GITHUB_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const STRIPE_SECRET = 'whsec_flint_test_signing_secret';
const BEARER_TOKEN = 'bearer-token-4b1d9c';
const API_KEY = 'api-key-7f3e2a';
const GENERIC_SECRET = 'generic-hmac-secret';
const STANDARD_SECRET = `whsec_${Buffer.from('standard-webhooks-key-0123456789').toString('base64')}`;
const STANDARD_OLD_SECRET = `whsec_${Buffer.from('the-key-being-rotated-out').toString('base64')}`;
const SLACK_SECRET = 'slack-signing-secret-8f7422';
const META_APP_SECRET = 'meta-app-secret-31a9';
const META_VERIFY_TOKEN = 'meta-verify-token-77c1';
const SHOPIFY_SECRET = 'shopify-secret-5d0e';
const SECRETS = [
  GITHUB_SECRET,
  STRIPE_SECRET,
  BEARER_TOKEN,
  API_KEY,
  GENERIC_SECRET,
  STANDARD_SECRET,
  STANDARD_OLD_SECRET,
  SLACK_SECRET,
  META_APP_SECRET,
  META_VERIFY_TOKEN,
  SHOPIFY_SECRET,
];

function hmacHex(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

function standardHeaders(
  id: string,
  body: string,
  timestamp: number,
  secret = STANDARD_SECRET,
): Record<string, string> {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}

function slackHeaders(body: string, timestamp: number): Record<string, string> {
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${hmacHex(SLACK_SECRET, `v0:${timestamp}:${body}`)}`,
  };
}

function stripeHeader(body: string, timestamp: number, secret = STRIPE_SECRET): string {
  return `t=${timestamp},v1=${hmacHex(secret, `${timestamp}.${body}`)}`;
}

interface Answer {
  status: number;
  text: string;
  json: { eventId?: string; error?: { code: string; message: string } };
  headers: Headers;
}

describe('webhook authentication', () => {
  let kafka: Kafka;
  let topics: TopicNames;
  let definitions: DefinitionPublisher;
  let service: RunningService;

  const post = async (
    path: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const response = await fetch(`${service.url}/hooks/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      json: JSON.parse(text) as Answer['json'],
      headers: response.headers,
    };
  };

  /** A 401 whose message says what is wrong, and which repeats no secret. */
  const expectRefused = (answer: Answer, message: RegExp) => {
    expect(answer.status).toBe(401);
    expect(answer.json.error).toEqual({
      code: 'unauthorized',
      message: expect.stringMatching(message),
    });
    for (const secret of SECRETS) expect(answer.text).not.toContain(secret);
  };

  beforeAll(async () => {
    kafka = kafkaForTest();
    topics = testTopics();
    definitions = new DefinitionPublisher(kafka, topics);
    await definitions.provision();
    service = await startWebhook({
      ...topicEnv(topics),
      FLINT_SECRET_GITHUB_WEBHOOK: GITHUB_SECRET,
      FLINT_SECRET_STRIPE_SIGNING: STRIPE_SECRET,
      FLINT_SECRET_PAGER_TOKEN: BEARER_TOKEN,
      FLINT_SECRET_PARTNER_KEY: API_KEY,
      FLINT_SECRET_GENERIC_HMAC: GENERIC_SECRET,
      FLINT_SECRET_STANDARD_NEW: STANDARD_SECRET,
      FLINT_SECRET_STANDARD_OLD: STANDARD_OLD_SECRET,
      FLINT_SECRET_SLACK_SIGNING: SLACK_SECRET,
      FLINT_SECRET_META_APP: META_APP_SECRET,
      FLINT_SECRET_META_VERIFY: META_VERIFY_TOKEN,
      FLINT_SECRET_SHOPIFY: SHOPIFY_SECRET,
    });
    const sources = [
      webhookSource('github', {
        auth: {
          type: 'hmac-sha256',
          secretRef: 'github-webhook',
          header: 'X-Hub-Signature-256',
          prefix: 'sha256=',
        },
        eventType: { header: 'X-GitHub-Event', prefix: 'github.', fallback: 'github.unknown' },
      }),
      webhookSource('generic', {
        auth: { type: 'hmac-sha256', secretRef: 'generic.hmac', header: 'X-Signature', prefix: '' },
      }),
      webhookSource('stripe', {
        auth: { type: 'stripe', secretRef: 'stripe-signing', toleranceSeconds: 300 },
      }),
      webhookSource('pager', { auth: { type: 'bearer', secretRef: 'pager_token' } }),
      webhookSource('partner', {
        auth: { type: 'api-key', secretRef: 'partner-key', header: 'X-Partner-Key' },
      }),
      webhookSource('open', { auth: { type: 'none' } }),
      webhookSource('standard', {
        auth: {
          type: 'standard-webhooks',
          secretRef: 'standard-new',
          additionalSecretRefs: ['standard-old'],
          toleranceSeconds: 300,
        },
        eventId: { header: 'webhook-id' },
      }),
      webhookSource('slack', {
        auth: { type: 'slack', secretRef: 'slack-signing', toleranceSeconds: 300 },
      }),
      webhookSource('meta', {
        auth: { type: 'meta', secretRef: 'meta-app', verifyTokenRef: 'meta-verify' },
      }),
      webhookSource('shopify', {
        auth: {
          type: 'hmac',
          secretRef: 'shopify',
          header: 'X-Shopify-Hmac-Sha256',
          prefix: '',
          algorithm: 'sha256',
          encoding: 'base64',
        },
      }),
      webhookSource('unconfigured', { auth: { type: 'bearer', secretRef: 'nobody-set-this' } }),
    ];
    for (const source of sources) await definitions.put(source);
    for (const source of sources) await waitForPath(service, source.id);
  });

  afterAll(async () => {
    await service?.stop();
    await definitions?.close();
  });

  describe('hmac-sha256, GitHub style', () => {
    it("accepts GitHub's documented example delivery, keeping its delivery id and event type", async () => {
      const answer = await post('github', GITHUB_PAYLOAD, {
        'content-type': 'text/plain',
        'x-hub-signature-256': GITHUB_SIGNATURE,
        'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
        'x-github-event': 'push',
      });
      expect(answer.status).toBe(202);
      expect(answer.json).toEqual({ eventId: '72d3162e-cc78-11e3-81ab-4c9367dc0958' });
      const event = await eventOnTopic(
        kafka,
        topics.events,
        '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      );
      expect(event.headers.ce_type).toBe('github.push');
      expect(event.headers['content-type']).toBe('text/plain');
      expect(event.value?.toString()).toBe(GITHUB_PAYLOAD);
    });

    it('refuses a signature of another body, a wrong prefix and a missing header', async () => {
      expectRefused(
        await post('github', 'Hello, World?', {
          'content-type': 'text/plain',
          'x-hub-signature-256': GITHUB_SIGNATURE,
        }),
        /X-Hub-Signature-256 signature does not match the request body/,
      );
      expectRefused(
        await post('github', GITHUB_PAYLOAD, {
          'content-type': 'text/plain',
          'x-hub-signature-256': GITHUB_SIGNATURE.replace('sha256=', 'sha1='),
        }),
        /does not match/,
      );
      expectRefused(
        await post('github', GITHUB_PAYLOAD, { 'content-type': 'text/plain' }),
        /missing signature header X-Hub-Signature-256/,
      );
    });
  });

  describe('hmac-sha256, generic header without prefix', () => {
    it('accepts the hex HMAC of the raw body and refuses anything else', async () => {
      const body = '{"order":42}';
      const good = await post('generic', body, { 'x-signature': hmacHex(GENERIC_SECRET, body) });
      expect(good.status).toBe(202);
      expectRefused(
        await post('generic', body, { 'x-signature': hmacHex('another secret', body) }),
        /X-Signature signature does not match/,
      );
      expectRefused(await post('generic', body), /missing signature header X-Signature/);
    });
  });

  describe('stripe signed timestamp', () => {
    const body = JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', type: 'invoice.paid' });

    it('accepts a fresh signature and uses the Stripe event id', async () => {
      const answer = await post('stripe', body, {
        'stripe-signature': stripeHeader(body, Math.floor(Date.now() / 1000)),
      });
      expect(answer.status).toBe(202);
      expect(answer.json).toEqual({ eventId: 'evt_1NG8Du2eZvKYlo2CUI79vXWy' });
    });

    it('accepts any of several v1 signatures, as during a secret roll', async () => {
      const timestamp = Math.floor(Date.now() / 1000);
      const old = hmacHex('whsec_old', `${timestamp}.${body}`);
      const header = `t=${timestamp},v1=${old},${stripeHeader(body, timestamp).split(',')[1]},v0=abc`;
      expect((await post('stripe', body, { 'stripe-signature': header })).status).toBe(202);
    });

    it('refuses a correctly signed but stale timestamp, so a captured call cannot be replayed', async () => {
      const stale = Math.floor(Date.now() / 1000) - 301 - 30;
      expectRefused(
        await post('stripe', body, { 'stripe-signature': stripeHeader(body, stale) }),
        /more than 300 s from the server's time/,
      );
      const future = Math.floor(Date.now() / 1000) + 600;
      expectRefused(
        await post('stripe', body, { 'stripe-signature': stripeHeader(body, future) }),
        /more than 300 s/,
      );
    });

    it('refuses a wrong signature, a malformed header and a missing one', async () => {
      const now = Math.floor(Date.now() / 1000);
      expectRefused(
        await post('stripe', body, { 'stripe-signature': stripeHeader(body, now, 'whsec_wrong') }),
        /does not match the timestamp and request body/,
      );
      expectRefused(
        await post('stripe', body, {
          'stripe-signature': stripeHeader(body, now - 1).replace(/^t=\d+/, `t=${now}`),
        }),
        /does not match/,
      );
      expectRefused(
        await post('stripe', body, { 'stripe-signature': 'v1=deadbeef' }),
        /must look like t=<unix seconds>,v1=<hex signature>/,
      );
      expectRefused(await post('stripe', body), /missing signature header Stripe-Signature/);
    });
  });

  describe('bearer token', () => {
    it('accepts the token and refuses a wrong or missing one', async () => {
      expect((await post('pager', '{}', { authorization: `Bearer ${BEARER_TOKEN}` })).status).toBe(
        202,
      );
      expect((await post('pager', '{}', { authorization: `bearer ${BEARER_TOKEN}` })).status).toBe(
        202,
      );
      expectRefused(
        await post('pager', '{}', { authorization: `Bearer ${BEARER_TOKEN}x` }),
        /bearer token is not valid/,
      );
      expectRefused(
        await post('pager', '{}', { authorization: `Basic ${BEARER_TOKEN}` }),
        /missing header Authorization: Bearer <token>/,
      );
      expectRefused(await post('pager', '{}'), /missing header Authorization/);
    });
  });

  describe('api key', () => {
    it('accepts the key in its header and refuses a wrong or missing one', async () => {
      expect((await post('partner', '{}', { 'x-partner-key': API_KEY })).status).toBe(202);
      expectRefused(
        await post('partner', '{}', { 'x-partner-key': API_KEY.slice(0, -1) }),
        /X-Partner-Key API key is not valid/,
      );
      expectRefused(
        await post('partner', '{}', { authorization: `Bearer ${API_KEY}` }),
        /missing API key header X-Partner-Key/,
      );
    });
  });

  describe('none', () => {
    it('accepts a call without credentials, with an Idempotency-Key as event id', async () => {
      const answer = await post('open', '{"hello":"world"}', {
        'idempotency-key': 'order-42-paid',
      });
      expect(answer).toMatchObject({ status: 202, json: { eventId: 'order-42-paid' } });
      const event = await eventOnTopic(kafka, topics.events, 'order-42-paid');
      expect(JSON.parse(event.value!.toString())).toEqual({ hello: 'world' });
    });
  });

  describe('standard webhooks', () => {
    it('accepts a signature by the new or the rotated-out secret, with webhook-id as event id', async () => {
      const now = Math.floor(Date.now() / 1000);
      const body = '{"type":"invoice.paid"}';
      const fresh = await post('standard', body, standardHeaders('msg_new_1', body, now));
      expect(fresh).toMatchObject({ status: 202, json: { eventId: 'msg_new_1' } });
      const rotated = await post(
        'standard',
        body,
        standardHeaders('msg_old_1', body, now, STANDARD_OLD_SECRET),
      );
      expect(rotated).toMatchObject({ status: 202, json: { eventId: 'msg_old_1' } });
    });

    it('refuses a replay outside the tolerance, another body, and missing headers', async () => {
      const body = '{"type":"invoice.paid"}';
      const stale = Math.floor(Date.now() / 1000) - 301;
      expectRefused(
        await post('standard', body, standardHeaders('msg_2', body, stale)),
        /timestamp is more than 300 s from the server's time/,
      );
      const signed = standardHeaders('msg_3', body, Math.floor(Date.now() / 1000));
      expectRefused(
        await post('standard', '{"type":"forged"}', signed),
        /webhook-signature signature does not match/,
      );
      expectRefused(await post('standard', body), /missing header webhook-id/);
    });
  });

  describe('slack', () => {
    it('answers the signed url_verification challenge without publishing an event', async () => {
      const body =
        '{"token":"t","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}';
      const answer = await post('slack', body, slackHeaders(body, Math.floor(Date.now() / 1000)));
      expect(answer).toMatchObject({
        status: 200,
        json: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' },
      });
      expectRefused(
        await post('slack', body, slackHeaders(body, Math.floor(Date.now() / 1000) - 600)),
        /X-Slack-Signature timestamp is more than 300 s/,
      );
    });

    it('accepts a signed event callback and refuses an unsigned one', async () => {
      const body = '{"type":"event_callback","event_id":"Ev01","event":{"type":"app_mention"}}';
      const answer = await post('slack', body, slackHeaders(body, Math.floor(Date.now() / 1000)));
      expect(answer.status).toBe(202);
      expectRefused(await post('slack', body), /missing header X-Slack-Request-Timestamp/);
    });
  });

  describe('meta', () => {
    const get = (query: string) => fetch(`${service.url}/hooks/meta?${query}`);

    it("answers the hub.challenge verification GET with the challenge, only for the source's verify token", async () => {
      const ok = await get(
        `hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=1158201444`,
      );
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await ok.text()).toBe('1158201444');
      const wrong = await get('hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444');
      expect(wrong.status).toBe(403);
      const bad = await get(
        `hub.mode=subscribe&hub.verify_token=${META_VERIFY_TOKEN}&hub.challenge=%3Cscript%3E`,
      );
      expect(bad.status).toBe(400);
      // Deliveries are POSTs: a GET that is no verification is not accepted.
      expect((await get('hello=world')).status).toBe(405);
    });

    it('checks deliveries with X-Hub-Signature-256 and the app secret', async () => {
      const body = '{"object":"whatsapp_business_account","entry":[]}';
      const signed = await post('meta', body, {
        'x-hub-signature-256': `sha256=${hmacHex(META_APP_SECRET, body)}`,
      });
      expect(signed.status).toBe(202);
      expectRefused(
        await post('meta', body, { 'x-hub-signature-256': `sha256=${hmacHex('other', body)}` }),
        /X-Hub-Signature-256 signature does not match/,
      );
    });
  });

  describe('base64 HMAC, Shopify style', () => {
    it('accepts the base64 HMAC-SHA256 of the raw body and refuses the hex one', async () => {
      const body = '{"id":820982911946154500,"email":"jon@example.com"}';
      const base64 = createHmac('sha256', SHOPIFY_SECRET).update(body).digest('base64');
      expect((await post('shopify', body, { 'x-shopify-hmac-sha256': base64 })).status).toBe(202);
      expectRefused(
        await post('shopify', body, { 'x-shopify-hmac-sha256': hmacHex(SHOPIFY_SECRET, body) }),
        /X-Shopify-Hmac-Sha256 signature does not match/,
      );
    });
  });

  it('answers 500 without naming the secret when a secret is not configured on the server', async () => {
    const answer = await post('unconfigured', '{}', { authorization: 'Bearer anything' });
    expect(answer.status).toBe(500);
    expect(answer.json.error).toEqual({
      code: 'auth_not_configured',
      message: "this webhook's secret is not configured on the server; the service log says which",
    });
  });
});
