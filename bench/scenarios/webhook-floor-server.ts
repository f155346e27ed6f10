import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kafka, Partitioners, logLevel } from 'kafkajs';
import { fixRequestQueueTimer } from '../../libs/kafka/src/request-queue-timer';

/**
 * The floor of the webhook scenario (issue 20): the least a webhook on Node and kafkajs can do with
 * Flint's guarantee, in a process of its own. Answers 202 once Kafka acknowledged the body, with
 * Flint's producer settings (idempotent, one request in flight, acks from all in-sync replicas),
 * requests arriving during a produce request gathered into the next one, every message keyed by
 * the one source. Nothing else: no routing, no CloudEvent, no headers, no metrics, no tracing.
 */
interface FloorRequest {
  brokers: string;
  topic: string;
}

interface Waiting {
  body: Buffer;
  response: ServerResponse;
}

process.once('message', (request: FloorRequest) => {
  void serve(request).catch((err: unknown) => {
    process.send?.({ error: err instanceof Error ? err.message : String(err) });
  });
});

async function serve({ brokers, topic }: FloorRequest): Promise<void> {
  // As in Flint's services (createKafka): the floor too without kafkajs's idle 1 ms timer.
  fixRequestQueueTimer();
  const kafka = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  let waiting: Waiting[] = [];
  let sending = false;
  const flush = async (): Promise<void> => {
    sending = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, 1000);
      waiting = waiting.slice(batch.length);
      try {
        await producer.send({
          topic,
          acks: -1,
          messages: batch.map(({ body }) => ({ key: 'demo', value: body })),
        });
        for (const { response } of batch) response.writeHead(202).end();
      } catch {
        for (const { response } of batch) response.writeHead(503).end();
      }
    }
    sending = false;
  };
  const server = createServer((req: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      waiting.push({ body: Buffer.concat(chunks), response });
      if (!sending) void flush();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({ port: (server.address() as AddressInfo).port });
  process.once('disconnect', () => {
    server.close();
    void producer.disconnect().finally(() => process.exit(0));
  });
}
