import type { Provider, Type } from '@nestjs/common';
import { CelEngine } from '@flint/conditions';
import type { ServiceRuntime } from '@flint/service-kit';
import { type ArchivedEvent, EventArchiveRepository } from '@flint/store';
import { streamPollMs } from '../runs/history.providers';
import { PollingFeed } from '../runs/polling-feed';
import { KafkaPublisher } from '../events/kafka-publisher';
import { EventArchive } from './event-archive';
import { EventReplay } from './event-replay';
import { EventArchiveController } from './event-archive.controller';
import { EventFeed, EventStreamController } from './event-stream.controller';

/** Most archived events a stream poll reads; beyond it subscribers are told to reload. */
const STREAM_PAGE = 1000;

export const eventArchiveControllers: Type[] = [EventStreamController, EventArchiveController];

export function eventArchiveProviders(runtime: ServiceRuntime): Provider[] {
  const repository = new EventArchiveRepository(runtime.store);
  // The CEL library is an ES module, loaded asynchronously once; Nest awaits the factories.
  const engine = CelEngine.create();
  return [
    { provide: EventArchiveRepository, useValue: repository },
    {
      provide: EventArchive,
      useFactory: async () => new EventArchive(repository, await engine),
    },
    {
      provide: EventReplay,
      inject: [KafkaPublisher],
      useFactory: async (publisher: KafkaPublisher) =>
        new EventReplay(repository, await engine, publisher),
    },
    {
      provide: EventFeed,
      useFactory: async () =>
        new EventFeed(
          new PollingFeed<ArchivedEvent>({
            read: async (since, limit) =>
              (await repository.archivedSince(since, limit)).map((event) => ({
                at: event.archivedAt,
                key: `${event.acceptedAt.toISOString()} ${event.eventId}`,
                item: event,
              })),
            // An archived event never changes: read again, it is the same.
            fingerprint: () => '',
            intervalMs: streamPollMs(runtime),
            pageSize: STREAM_PAGE,
            onError: (err) =>
              runtime.logger.warn({ err: String(err) }, 'could not read new events for the stream'),
          }),
          await engine,
        ),
    },
  ];
}
