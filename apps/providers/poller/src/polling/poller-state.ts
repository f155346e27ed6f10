import { ProviderStateRepository, type Queryable } from '@flint/store';
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

const KEY = 'state';

/** The state in the `provider_state` table, one row per source. */
export class SqlPollerStateStore implements PollerStateStore {
  private readonly state: ProviderStateRepository;

  constructor(db: Queryable) {
    this.state = new ProviderStateRepository(db, 'poller');
  }

  load(sourceId: string): Promise<PollerState | undefined> {
    return this.state.get<PollerState>(sourceId, KEY);
  }

  save(sourceId: string, state: PollerState): Promise<void> {
    return this.state.put(sourceId, KEY, state);
  }
}
