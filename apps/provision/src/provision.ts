import type { Log } from '@flint/common';
import { type TopicNames, topicNamesFromEnv } from '@flint/contracts';
import {
  type ProvisionResult,
  createKafka,
  kafkaConfigFromEnv,
  provisionTopics,
} from '@flint/kafka';
import { type AppliedMigration, openStore, storeConfigFromEnv } from '@flint/store';

export interface ProvisionReport {
  /** Migrations this run applied; empty when the schema was already current. */
  migrations: AppliedMigration[];
  topics: ProvisionResult;
}

export interface ProvisionOptions {
  /** Receives the Kafka client's warnings and errors. */
  kafkaLog?: Log;
}

export class ProvisionConfigError extends Error {
  override readonly name = 'ProvisionConfigError';
}

/**
 * What a deployment runs once before (re)starting the services: brings the PostgreSQL schema up to date
 * and creates Flint's Kafka topics. Both steps are idempotent and safe to run beside services doing the
 * same at start, so a retried or repeated job harms nothing. Every setting is validated before anything
 * connects, so a typo fails the job at once with the variable named.
 */
export async function provision(
  env: NodeJS.ProcessEnv,
  options: ProvisionOptions = {},
): Promise<ProvisionReport> {
  const storeConfig = storeConfigFromEnv(env);
  if (storeConfig.databaseUrl === undefined) {
    throw new ProvisionConfigError(
      'DATABASE_URL is not set: provisioning migrates the PostgreSQL database the services share. ' +
        'The embedded database needs no job; the process that opens it migrates it.',
    );
  }
  const kafkaConfig = kafkaConfigFromEnv(env, 'flint-provision');
  const topics: TopicNames = topicNamesFromEnv(env);

  const migrations: AppliedMigration[] = [];
  const store = await openStore(storeConfig, {
    onMigrated: (report) => migrations.push(...report.applied),
  });
  await store.close();

  const kafka = createKafka(kafkaConfig, { log: options.kafkaLog });
  const created = await provisionTopics(kafka, topics, {
    partitions: kafkaConfig.topicPartitions,
    replicationFactor: kafkaConfig.replicationFactor,
  });
  return { migrations, topics: created };
}
