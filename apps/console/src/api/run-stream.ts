import type { RunSummary } from '@flint/contracts';
import { EventStreamParser } from '../logic/sse';
import type { ApiClient, Query } from './client';

export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface RunStreamHandlers {
  onRun(run: RunSummary): void;
  /** More runs changed at once than the stream carries: reload the list. */
  onOverflow(): void;
  onState(state: StreamState): void;
}

/**
 * Follows `GET /api/runs/stream` until `signal` aborts, reconnecting after a drop with a growing
 * pause. Read with `fetch`, because the browser's EventSource cannot send the Authorization header.
 */
export async function followRuns(
  client: ApiClient,
  filter: Query,
  handlers: RunStreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  let pauseMs = 1000;
  while (!signal.aborted) {
    handlers.onState('connecting');
    try {
      const response = await client.stream('/api/runs/stream', filter, signal);
      if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
      handlers.onState('live');
      pauseMs = 1000;
      const parser = new EventStreamParser((event) => {
        if (event.event === 'run') handlers.onRun(JSON.parse(event.data) as RunSummary);
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
