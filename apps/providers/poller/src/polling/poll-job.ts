import { createHash } from 'node:crypto';
import type { Log } from '@flint/common';
import type { EmitInput } from '@flint/provider-sdk';
import { describe } from './cursor-order';
import type { CursorValue } from '../http/poll-request';
import type { PollerState, PollerStateStore } from './poller-state';
import { SeenKeys } from './seen-keys';

export const DEFAULT_REMEMBER_KEYS = 10_000;
export const DEFAULT_MAX_PAGES_PER_POLL = 100;

/** CloudEvent ids are at most 512 characters; a longer item key is replaced by its hash. */
const MAX_ID_LENGTH = 256;

/** A polled item (a JSON item, a row) with its stable key. */
export interface KeyedItem {
  key: string;
  item: unknown;
}

/** One page of a poll: its items, and where the cursor stands once they are emitted. */
export type PolledPage =
  | { notModified: true }
  | {
      notModified: false;
      items: KeyedItem[];
      cursor: CursorValue | undefined;
      conditional?: PollerState['conditional'];
      /** Nothing more to read now; the next poll goes on from `cursor`. */
      caughtUp: boolean;
    };

/** Reads the page that follows the saved state. */
export type PageReader = (state: PollerState, signal: AbortSignal) => Promise<PolledPage>;

/** Where a poll job's items come from: an HTTP API or a database query. */
export interface PollPages {
  /** Identifies the settings the cursor belongs to; another fingerprint starts the cursor afresh. */
  readonly fingerprint: string;
  /** The cursor before anything was emitted. */
  readonly initialCursor?: CursorValue;
  /** Prepares one poll (secrets looked up once per poll) and returns how to read its pages. */
  begin(signal: AbortSignal): Promise<PageReader>;
}

export interface PollJobOptions {
  sourceId: string;
  pages: PollPages;
  state: PollerStateStore;
  /** Publishes events; resolves once Kafka acknowledged all of them. */
  emit: (events: EmitInput[]) => Promise<unknown>;
  eventType: string;
  rememberKeys?: number;
  log: Log;
  maxPages?: number;
}

export interface PollOutcome {
  pages: number;
  emitted: number;
  notModified: boolean;
}

/**
 * One poll of one source: reads page after page until caught up, emits the items not seen before,
 * and only after Kafka acknowledged them saves the advanced cursor together with their keys. A
 * crash in between repeats the page and emits its items again, with the same ids: an item may be
 * delivered twice, never lost.
 */
export class PollJob {
  private readonly maxPages: number;

  constructor(private readonly options: PollJobOptions) {
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES_PER_POLL;
  }

  async poll(signal: AbortSignal): Promise<PollOutcome> {
    const { sourceId, pages } = this.options;
    let state = await this.loadState();
    const seen = new SeenKeys(this.options.rememberKeys ?? DEFAULT_REMEMBER_KEYS, state.seen);
    const read = await pages.begin(signal);
    const outcome: PollOutcome = { pages: 0, emitted: 0, notModified: false };

    while (outcome.pages < this.maxPages && !signal.aborted) {
      const page = await read(state, signal);
      outcome.pages += 1;
      if (page.notModified) {
        outcome.notModified = true;
        return outcome;
      }

      const fresh = page.items.filter((entry) => !seen.has(entry.key));
      if (fresh.length > 0) await this.options.emit(fresh.map((entry) => this.event(entry)));
      for (const entry of fresh) seen.add(entry.key);
      outcome.emitted += fresh.length;

      state = {
        fingerprint: pages.fingerprint,
        ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
        ...(page.conditional ? { conditional: page.conditional } : {}),
        seen: seen.toArray(),
      };
      await this.options.state.save(sourceId, state);
      if (page.caughtUp) return outcome;
    }
    if (!signal.aborted) {
      this.options.log('warn', `stopped after ${this.maxPages} pages; the next poll goes on`, {
        pages: this.maxPages,
      });
    }
    return outcome;
  }

  private async loadState(): Promise<PollerState> {
    const { pages } = this.options;
    const saved = await this.options.state.load(this.options.sourceId);
    const start: PollerState = {
      fingerprint: pages.fingerprint,
      ...(pages.initialCursor === undefined ? {} : { cursor: pages.initialCursor }),
      seen: saved?.seen ?? [],
    };
    if (!saved) return start;
    // Another URL, query or cursor rule: the old cursor means nothing, but emitted keys still do.
    if (saved.fingerprint !== pages.fingerprint) {
      this.options.log('info', 'poll settings changed; starting from the initial cursor');
      return start;
    }
    return saved;
  }

  private event({ key, item }: KeyedItem): EmitInput {
    return {
      id: key.length <= MAX_ID_LENGTH ? key : createHash('sha256').update(key).digest('hex'),
      type: this.options.eventType,
      subject: key.length <= MAX_ID_LENGTH ? key : undefined,
      data: item,
    };
  }
}

/**
 * The items with their keys from `keyOf`, in order; an item whose key repeats one earlier on the same
 * page is left out. `role` names the key's origin in errors, e.g. `itemKey`.
 */
export function keyItems(
  items: readonly unknown[],
  keyOf: (item: unknown) => unknown,
  role: string,
): KeyedItem[] {
  const keyed: KeyedItem[] = [];
  const inPage = new Set<string>();
  for (const item of items) {
    const value = keyOf(item);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
      throw new Error(`${role} gave ${describe(value)}; it must give a string or a number`);
    }
    const key = String(value);
    if (key === '') throw new Error(`${role} gave an empty string`);
    if (inPage.has(key)) continue;
    inPage.add(key);
    keyed.push({ key, item });
  }
  return keyed;
}

/** A short stable hash of the settings a cursor depends on. */
export function fingerprintOf(settings: unknown): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
}
