import type { Provider, Type } from '@nestjs/common';
import { DeadLetterRepository, RunHistoryRepository } from '@flint/store';
import { parseEnv, type ServiceRuntime, serviceLog } from '@flint/service-kit';
import { z } from 'zod';
import { DefinitionRepository } from '../definitions/definition-repository';
import { KafkaPublisher } from '../events/kafka-publisher';
import { DeadLetterIndexer } from './dead-letter-indexer';
import { DeadLetters } from './dead-letters';
import { DeadLettersController } from './dead-letters.controller';

export const deadLetterControllers: Type[] = [DeadLettersController];

const DeadLetterEnvSchema = z.object({
  FLINT_API_DLQ_GROUP_ID: z.string().min(1).default('flint-api-dead-letters'),
});

/**
 * The dead-letter routes and the indexer that feeds them, started with the API and stopped with it.
 * KafkaPublisher and DefinitionRepository come from the history and definitions areas.
 */
export function deadLetterProviders(runtime: ServiceRuntime): Provider[] {
  const { FLINT_API_DLQ_GROUP_ID } = parseEnv(DeadLetterEnvSchema, runtime.env);
  const deadLetters = new DeadLetterRepository(runtime.store);
  return [
    {
      provide: DeadLetterIndexer,
      useFactory: () =>
        new DeadLetterIndexer({
          kafka: runtime.kafka,
          topics: runtime.topics,
          topicSettings: runtime.kafkaTopicSettings,
          groupId: FLINT_API_DLQ_GROUP_ID,
          deadLetters,
          log: serviceLog(runtime.logger, 'dead-letters'),
        }),
    },
    {
      provide: DeadLetters,
      inject: [DefinitionRepository, KafkaPublisher],
      useFactory: (definitions: DefinitionRepository, publisher: KafkaPublisher) =>
        new DeadLetters(
          deadLetters,
          new RunHistoryRepository(runtime.store),
          definitions,
          publisher,
          runtime.topics,
        ),
    },
  ];
}
