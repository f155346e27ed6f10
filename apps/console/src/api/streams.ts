import type { ArchivedEventSummary, RunSummary } from '@flint/contracts';
import { EventStreamParser } from '../logic/sse';
import type { ApiClient, Query } from './client';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface StreamHandlers<T> {
  onItem(item: T): void;
  /** More changed at once than the stream carries: reload the list. */
  onOverflow(): void;
  onState(state: StreamState): void;
}

/**
 * Follows one of the API's server-sent-event streams until `signal` aborts, handing on each frame
 * named `itemEvent`, reconnecting after a drop with a growing pause. Read with `fetch`, because the
 * browser's EventSource cannot send the Authorization header.
 */
async function follow<T>(
  client: ApiClient,
  path: string,
  itemEvent: string,
  filter: Query,
  handlers: StreamHandlers<T>,
  signal: AbortSignal,
): Promise<void> {
  let pauseMs = 1000;
  while (!signal.aborted) {
    handlers.onState('connecting');
    try {
      const response = await client.stream(path, filter, signal);
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      handlers.onState('live');
      pauseMs = 1000;
      const parser = new EventStreamParser((event) => {
        if (event.event === itemEvent) handlers.onItem(JSON.parse(event.data) as T);
        else if (event.event === 'overflow') handlers.onOverflow();
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
    } catch {
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    handlers.onState('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    pauseMs = Math.min(pauseMs * 2, 15_000);
  }
}

/** `GET /api/runs/stream`: runs as they are requested, start and end. */
export function followRuns(
  client: ApiClient,
  filter: Query,
  handlers: StreamHandlers<RunSummary>,
  signal: AbortSignal,
): Promise<void> {
  return follow(client, '/api/runs/stream', 'run', filter, handlers, signal);
}

/** `GET /api/events/stream`: events as the evaluator archives them. */
export function followEvents(
  client: ApiClient,
  filter: Query,
  handlers: StreamHandlers<ArchivedEventSummary>,
  signal: AbortSignal,
): Promise<void> {
  return follow(client, '/api/events/stream', 'event', filter, handlers, signal);
}
