import type { Provider, Type } from '@nestjs/common';
import { CelEngine } from '@flint/conditions';
import { ActivityRepository, RunControlRepository, RunHistoryRepository } from '@flint/store';
import { parseEnv, RunStatusMessages, type ServiceRuntime } from '@flint/service-kit';
import { z } from 'zod';
import { DefinitionRepository } from '../definitions/definition-repository';
import { ActivityController } from '../activity/activity.controller';
import { ActivityReader } from '../activity/trigger-stats';
import { DefinitionValidator } from '../definitions/definition-validator';
import { EventsController } from '../events/events.controller';
import { KafkaPublisher } from '../events/kafka-publisher';
import { TestFire } from '../test-fire/test-fire';
import { TestFireController } from '../test-fire/test-fire.controller';
import { TriggerTester } from '../test-fire/trigger-tester';
import { RunControl } from './run-control';
import { RunHistory } from './run-history';
import { RunChangeFeed } from './run-change-feed';
import { RunStreamController } from './run-stream.controller';
import { RunsController } from './runs.controller';

/** History, test-fire and custom events: their controllers. */
export const historyControllers: Type[] = [
  RunStreamController,
  RunsController,
  ActivityController,
  TestFireController,
  EventsController,
];

const PublishEnvSchema = z.object({
  FLINT_API_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
});

const StreamEnvSchema = z.object({
  FLINT_API_STREAM_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
});

/** How often the live streams (runs, archived events) look for changes. */
export function streamPollMs(runtime: ServiceRuntime): number {
  return parseEnv(StreamEnvSchema, runtime.env).FLINT_API_STREAM_POLL_MS;
}

/** Their providers; DefinitionRepository and DefinitionValidator come from the definitions area. */
export function historyProviders(runtime: ServiceRuntime): Provider[] {
  const { FLINT_API_PUBLISH_TIMEOUT_MS } = parseEnv(PublishEnvSchema, runtime.env);
  const publisher = new KafkaPublisher({
    kafka: runtime.kafka,
    topics: runtime.topics,
    topicSettings: runtime.kafkaTopicSettings,
    timeoutMs: FLINT_API_PUBLISH_TIMEOUT_MS,
  });
  const runs = new RunHistoryRepository(runtime.store);
  return [
    { provide: KafkaPublisher, useValue: publisher },
    { provide: RunHistory, useValue: new RunHistory(runs) },
    {
      provide: RunControl,
      useValue: new RunControl(
        runs,
        new RunControlRepository(runtime.store),
        publisher,
        new RunStatusMessages(runtime.topics),
      ),
    },
    {
      provide: RunChangeFeed,
      useValue: new RunChangeFeed(runs, streamPollMs(runtime), (err) =>
        runtime.logger.warn({ err: String(err) }, 'could not read run changes for the stream'),
      ),
    },
    {
      provide: ActivityReader,
      useValue: new ActivityReader(new ActivityRepository(runtime.store)),
    },
    {
      provide: TestFire,
      inject: [DefinitionRepository, DefinitionValidator],
      // The CEL library is an ES module, loaded asynchronously once; Nest awaits the factory.
      useFactory: async (definitions: DefinitionRepository, validator: DefinitionValidator) =>
        new TestFire(
          new TriggerTester(await CelEngine.create()),
          definitions,
          validator,
          publisher,
        ),
    },
  ];
}
