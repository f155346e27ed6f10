import { readFileSync } from 'node:fs';
import { jsonStderrLog, type Log } from '@flint/common';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import type { KafkaConfig } from './config';
import { EventSigner } from './event-signature';
import { kafkajsLogCreator } from './log';
import { fixRequestQueueTimer } from './request-queue-timer';

export interface CreateKafkaOptions {
  /** Receives kafkajs's warnings and errors; its info chatter is dropped. */
  log?: Log;
  /**
   * Give up on the first failed connection instead of retrying: for probes such as the health check,
   * whose retries kafkajs would otherwise keep running after the probe has already answered.
   */
  failFast?: boolean;
}

/** A kafkajs client for the validated configuration. Credentials go to kafkajs only, never to a log. */
export function createKafka(config: KafkaConfig, options: CreateKafkaOptions = {}): Kafka {
  fixRequestQueueTimer();
  const kafka = new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    ssl: tlsOptions(config),
    sasl: saslOptions(config),
    connectionTimeout: config.connectionTimeoutMs,
    logLevel: logLevel.WARN,
    logCreator: kafkajsLogCreator(options.log ?? jsonStderrLog),
    ...(options.failFast ? { retry: { retries: 0 } } : {}),
  });
  if (config.eventSigningKey !== undefined) EventSigner.attach(kafka, config.eventSigningKey);
  return kafka;
}

function tlsOptions(config: KafkaConfig): { ca: Buffer[] } | boolean {
  if (!config.ssl) return false;
  if (config.sslCaFile === undefined) return true;
  try {
    return { ca: [readFileSync(config.sslCaFile)] };
  } catch (err) {
    throw new Error(
      `KAFKA_SSL_CA_FILE ${config.sslCaFile} cannot be read: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function saslOptions(config: KafkaConfig): SASLOptions | undefined {
  if (config.sasl === undefined) return undefined;
  const { mechanism, username, password } = config.sasl;
  return { mechanism, username, password };
}
