import { type PollHistory, PollHistorySchema } from '@flint/contracts';
import type { FlintApiClient } from '../api-client';
import { typed } from '../command-failures';
import { formatTable } from '../output';

/** `flint get source <id> --history`: the last polls of a poll function source. */
export async function sourceHistory(client: FlintApiClient, id: string): Promise<PollHistory> {
  return typed(
    PollHistorySchema,
    client.request('GET', `/api/sources/${encodeURIComponent(id)}/history?limit=100`),
  );
}

/** One line per poll, newest first, columns aligned. */
export function pollHistoryLines(history: PollHistory): string[] {
  if (history.items.length === 0) return [`no polls of source ${history.sourceId} yet`];
  return formatTable(
    ['POLLED AT', 'OUTCOME', 'DURATION', 'FIRED', 'SKIPPED', 'ERROR'],
    history.items.map((poll) => [
      poll.polledAt,
      poll.outcome,
      `${poll.durationMs} ms`,
      String(poll.fired),
      String(poll.skipped),
      poll.error ? `${poll.error.type}: ${poll.error.message.replace(/\s+/g, ' ')}` : '',
    ]),
  );
}
