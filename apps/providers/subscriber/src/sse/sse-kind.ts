import type { SseConfig } from '@flint/contracts';
import { resolveHeaders, type SourceOf } from '@flint/provider-sdk';
import { ProviderStateRepository, type Store } from '@flint/store';
import type { Delivery } from '../subscription/delivery';
import type { StreamKind, StreamSession } from '../subscription/stream-kind';
import { type ServerSentEvent, SseReader } from './sse-reader';

type Session = StreamSession<'sse', SseConfig>;

/** The provider-state key of the stream's position: `{ id }` of the last event published. */
const POSITION = 'last-event-id';

/**
 * A Server-Sent Events stream, read by one replica (exclusive). Each event is published before the
 * next is read; then its `id` is saved in provider state as the stream's position, and sent as
 * `Last-Event-ID` when the stream is opened again — after a dropped connection or a restart — so a
 * server that keeps history resumes after it. A crash between the publish and the save makes the
 * server send that event again; its id (the SSE id) is unchanged, so it collapses into its run.
 * The SSE `event:` name is the event's type (the configured type for unnamed `message` events).
 */
export class SseKind implements StreamKind<'sse', SseConfig> {
  readonly kind = 'sse';
  readonly exclusive = true;

  validate(config: SseConfig): SseConfig {
    return config;
  }

  async consume(session: Session): Promise<void> {
    const { config, signal, source, store } = session.ctx;
    const state = new ProviderStateRepository(store, this.kind);
    const lastEventId = (await state.get<{ id: string }>(source.id, POSITION))?.id;
    const response = await fetch(config.url, {
      headers: {
        ...(await resolveHeaders(config.headers, session.ctx.secrets)),
        accept: 'text/event-stream',
        'cache-control': 'no-cache',
        ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
      },
      signal,
    });
    if (!response.ok || response.body === null) {
      await response.body?.cancel();
      throw new Error(`the server answered ${response.status} ${response.statusText}`);
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!/^text\/event-stream\b/i.test(contentType)) {
      await response.body.cancel();
      throw new Error(`the server sent ${contentType || 'no content type'}, not text/event-stream`);
    }
    session.connected();
    const reader = new SseReader();
    try {
      for await (const chunk of response.body) {
        for (const event of reader.push(chunk)) {
          if (config.events && !config.events.includes(event.event)) continue;
          await session.deliver([deliveryOf(config, event)]);
          if (event.id !== undefined) await state.put(source.id, POSITION, { id: event.id });
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if (!signal.aborted) throw new Error('the server closed the event stream');
  }

  async retire(source: SourceOf<'sse'>, store: Store): Promise<void> {
    await new ProviderStateRepository(store, this.kind).delete(source.id);
  }
}

function deliveryOf(config: SseConfig, event: ServerSentEvent): Delivery {
  return {
    body: Buffer.from(event.data, 'utf8'),
    headers: {},
    ...(event.id ? { identity: event.id } : {}),
    ...(event.event === 'message' ? {} : { type: event.event }),
    subject: event.event,
    origin: `${config.url}${event.id ? ` id ${event.id}` : ''}`,
  };
}
