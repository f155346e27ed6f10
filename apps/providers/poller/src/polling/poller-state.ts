import type { Queryable } from '@flint/store';
import type { Conditional } from '../http/poll-fetcher';
import type { CursorValue } from '../http/poll-request';

/** What a poll job remembers between polls and across restarts. */
export interface PollerState {
  /** Identifies the settings the cursor belongs to; a changed URL or cursor rule starts afresh. */
  fingerprint: string;
  cursor?: CursorValue;
  /** Validators of the last response to the request with this signature. */
  conditional?: Conditional & { request: string };
  /** Keys of the items emitted most recently, oldest first. */
  seen: string[];
}

export interface PollerStateStore {
  load(sourceId: string): Promise<PollerState | undefined>;
  /** Saves atomically: the cursor never moves without the keys of the items emitted before it. */
  save(sourceId: string, state: PollerState): Promise<void>;
}

const PROVIDER = 'poller';
const KEY = 'state';

/** The state in the `provider_state` table, one row per source. */
export class SqlPollerStateStore implements PollerStateStore {
  constructor(private readonly db: Queryable) {}

  async load(sourceId: string): Promise<PollerState | undefined> {
    const [row] = await this.db.query<{ value: PollerState | string }>(
      'SELECT value FROM provider_state WHERE provider = $1 AND source_id = $2 AND key = $3',
      [PROVIDER, sourceId, KEY],
    );
    if (!row) return undefined;
    return typeof row.value === 'string' ? (JSON.parse(row.value) as PollerState) : row.value;
  }

  async save(sourceId: string, state: PollerState): Promise<void> {
    await this.db.query(
      `INSERT INTO provider_state (provider, source_id, key, value)
       VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (provider, source_id, key)
       DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [PROVIDER, sourceId, KEY, JSON.stringify(state)],
    );
  }
}
