import { connect } from 'node:net';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { NestFactory } from '@nestjs/core';
import { ProviderService } from '@flint/provider-sdk';
import { type ServiceRuntime, openServiceRuntime } from '@flint/service-kit';
import { Kafka } from 'kafkajs';
import { kafkaForTest } from '../../../support/kafka-client';
import { WebhookModule } from '../../../../apps/providers/webhook/src/webhook.module';
import { quietLog, waitFor } from '../../../support/kafka';
import { DefinitionPublisher, eventOnTopic, testTopics, topicEnv, webhookSource } from './harness';
import { TcpProxy } from '../../../support/tcp-proxy';

/** A client whose every connection, whatever broker address metadata names, goes through the proxy. */
function kafkaThrough(proxy: TcpProxy): Kafka {
  return new Kafka({
    clientId: 'flint-webhook',
    brokers: [`127.0.0.1:${proxy.port}`],
    connectionTimeout: 1000,
    socketFactory: ({ onConnect }) => {
      const socket = connect({ host: '127.0.0.1', port: proxy.port }, onConnect);
      socket.setKeepAlive(true, 60_000);
      return socket;
    },
    logCreator: () => (entry) => quietLog('debug', entry.log.message),
  });
}

describe('webhook while Kafka is unreachable', () => {
  const topics = testTopics();
  const kafka = kafkaForTest();
  const definitions = new DefinitionPublisher(kafka, topics);
  let proxy: TcpProxy;
  let runtime: ServiceRuntime;
  let app: NestFastifyApplication;
  let url: string;

  const post = (body: string, idempotencyKey: string) =>
    fetch(`${url}/hooks/outage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body,
    });

  beforeAll(async () => {
    await definitions.provision();
    await definitions.put(webhookSource('outage', { auth: { type: 'none' } }));
    const brokerPort = Number(process.env.KAFKA_BROKERS!.split(',')[0].split(':')[1]);
    proxy = new TcpProxy(brokerPort);
    await proxy.open();
    const opened = await openServiceRuntime('webhook', {
      env: { ...process.env, ...topicEnv(topics), FLINT_WEBHOOK_ACK_TIMEOUT_MS: '2000' },
    });
    runtime = { ...opened, kafka: kafkaThrough(proxy), close: () => opened.close() };
    app = await NestFactory.create<NestFastifyApplication>(
      WebhookModule.forRuntime(runtime),
      new FastifyAdapter(),
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    await app.get(ProviderService).whenReady();
  });

  afterAll(async () => {
    // Open, so the service can say goodbye to the broker, then closed for good.
    await proxy.open().catch(() => undefined);
    await app?.close();
    await runtime?.close();
    await proxy.close();
    await definitions.close();
  });

  it('answers 503 with Retry-After, never 2xx, and accepts again once Kafka is back', async () => {
    const before = await post('{"n":1}', 'before-outage');
    expect(before.status).toBe(202);

    await proxy.close();
    const startedAt = Date.now();
    const during = await post('{"n":2}', 'during-outage');
    expect(during.status).toBe(503);
    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(await during.json()).toEqual({
      error: {
        code: 'kafka_unavailable',
        message: 'the event could not be stored right now and was not accepted; retry later',
      },
    });

    await proxy.open();
    let attempt = 0;
    const acceptedId = await waitFor(
      async () => {
        // A fresh id per try: a try answered 503 may still land later, as the sender would retry it.
        const id = `after-outage-${++attempt}`;
        const response = await post(`{"n":${attempt}}`, id);
        return response.status === 202
          ? ((await response.json()) as { eventId: string }).eventId
          : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, description: 'the webhook to accept again' },
    );
    expect(acceptedId).toBe(`after-outage-${attempt}`);
    const message = await eventOnTopic(kafka, topics.events, acceptedId);
    expect(JSON.parse(message.value!.toString())).toEqual({ n: attempt });
  });
});
