import { createHash } from 'node:crypto';
import { DEFAULT_POLLER_EVENT_TYPE, type PollerConfig } from '@flint/contracts';
import type { EmitInput, ProviderLog } from '@flint/provider-sdk';
import { asCursorValue, compareCursors, describe } from './cursor-order';
import type { ItemExpression } from './item-expression';
import { extractItems, firstMatch } from './items';
import type { PollFetcher } from './poll-fetcher';
import {
  buildPollRequest,
  type CursorValue,
  type PollRequest,
  requestSignature,
} from './poll-request';
import type { PollerState, PollerStateStore } from './poller-state';
import { SeenKeys } from './seen-keys';

export const DEFAULT_REMEMBER_KEYS = 10_000;
export const DEFAULT_MAX_PAGES_PER_POLL = 100;

/** CloudEvent ids are at most 512 characters; a longer item key is replaced by its hash. */
const MAX_ID_LENGTH = 256;

export interface PollJobOptions {
  sourceId: string;
  config: PollerConfig;
  itemKey: ItemExpression;
  /** The `max-field` cursor's expression. */
  cursorField?: ItemExpression;
  fetch: PollFetcher;
  /** Request headers with secrets resolved. */
  headers: () => Promise<Record<string, string>>;
  state: PollerStateStore;
  /** Publishes events; resolves once Kafka acknowledged all of them. */
  emit: (events: EmitInput[]) => Promise<unknown>;
  log: ProviderLog;
  maxPages?: number;
}

export interface PollOutcome {
  pages: number;
  emitted: number;
  notModified: boolean;
}

interface KeyedItem {
  key: string;
  item: unknown;
}

/**
 * One poll of one HTTP source: requests page after page until caught up, emits the items not seen
 * before, and only after Kafka acknowledged them saves the advanced cursor together with their
 * keys. A crash in between repeats the page and emits its items again, with the same ids: an item
 * may be delivered twice, never lost.
 */
export class PollJob {
  private readonly maxPages: number;
  private readonly fingerprint: string;

  constructor(private readonly options: PollJobOptions) {
    this.maxPages = options.maxPages ?? DEFAULT_MAX_PAGES_PER_POLL;
    this.fingerprint = settingsFingerprint(options.config);
  }

  async poll(signal: AbortSignal): Promise<PollOutcome> {
    const { config, sourceId } = this.options;
    let state = await this.loadState();
    const seen = new SeenKeys(config.rememberKeys ?? DEFAULT_REMEMBER_KEYS, state.seen);
    const headers = await this.options.headers();
    const outcome: PollOutcome = { pages: 0, emitted: 0, notModified: false };

    while (outcome.pages < this.maxPages && !signal.aborted) {
      const request = buildPollRequest(config, state.cursor, headers);
      const signature = requestSignature(request);
      const conditional = state.conditional?.request === signature ? state.conditional : undefined;
      const result = await this.options.fetch(request, conditional, signal);
      outcome.pages += 1;
      if (result.notModified) {
        outcome.notModified = true;
        return outcome;
      }

      const keyed = this.keyItems(extractItems(result.body, config.itemsPath));
      const fresh = keyed.filter((entry) => !seen.has(entry.key));
      if (fresh.length > 0) await this.options.emit(fresh.map((entry) => this.event(entry)));
      for (const entry of fresh) seen.add(entry.key);
      outcome.emitted += fresh.length;

      const next = this.nextCursor(state.cursor, result.body, keyed);
      const { etag, lastModified } = result.validators;
      state = {
        fingerprint: this.fingerprint,
        ...(next === undefined ? {} : { cursor: next }),
        ...(etag || lastModified
          ? { conditional: { request: signature, etag, lastModified } }
          : {}),
        seen: seen.toArray(),
      };
      await this.options.state.save(sourceId, state);
      if (this.caughtUp(request, keyed, next, buildPollRequest(config, next, headers))) {
        return outcome;
      }
    }
    if (!signal.aborted) {
      this.options.log('warn', `stopped after ${this.maxPages} pages; the next poll goes on`, {
        pages: this.maxPages,
      });
    }
    return outcome;
  }

  private async loadState(): Promise<PollerState> {
    const saved = await this.options.state.load(this.options.sourceId);
    const initial = this.options.config.cursor;
    const start: PollerState = {
      fingerprint: this.fingerprint,
      ...(initial?.from === 'max-field' && initial.initial !== undefined
        ? { cursor: initial.initial }
        : {}),
      seen: saved?.seen ?? [],
    };
    if (!saved) return start;
    // Another URL or cursor rule: the old cursor means nothing, but emitted keys still do.
    if (saved.fingerprint !== this.fingerprint) {
      this.options.log('info', 'poll settings changed; starting from the initial cursor');
      return start;
    }
    return saved;
  }

  private keyItems(items: unknown[]): KeyedItem[] {
    const keyed: KeyedItem[] = [];
    const inPage = new Set<string>();
    for (const item of items) {
      const value = this.options.itemKey.evaluate(item);
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'bigint') {
        throw new Error(`itemKey gave ${describe(value)}; it must give a string or a number`);
      }
      const key = String(value);
      if (key === '') throw new Error('itemKey gave an empty string');
      if (inPage.has(key)) continue;
      inPage.add(key);
      keyed.push({ key, item });
    }
    return keyed;
  }

  private event({ key, item }: KeyedItem): EmitInput {
    return {
      id: key.length <= MAX_ID_LENGTH ? key : createHash('sha256').update(key).digest('hex'),
      type: this.options.config.eventType ?? DEFAULT_POLLER_EVENT_TYPE,
      subject: key.length <= MAX_ID_LENGTH ? key : undefined,
      data: item,
    };
  }

  private nextCursor(
    current: CursorValue | undefined,
    body: unknown,
    items: KeyedItem[],
  ): CursorValue | undefined {
    const cursor = this.options.config.cursor;
    if (!cursor) return undefined;
    if (cursor.from === 'next-page-token') {
      const token = firstMatch(body, cursor.path);
      // No token: the last page. The next poll asks for it again to find items added to it.
      if (token === undefined || token === null || token === '') return current;
      return asCursorValue(token, `next page token at ${cursor.path}`);
    }
    let max = current;
    for (const { item } of items) {
      const value = asCursorValue(this.options.cursorField?.evaluate(item), `cursor field`);
      if (max === undefined || compareCursors(value, max) > 0) max = value;
    }
    return max;
  }

  /** Caught up when the next request would be the one just made, or the page was empty. */
  private caughtUp(
    request: PollRequest,
    items: KeyedItem[],
    next: CursorValue | undefined,
    nextRequest: PollRequest,
  ): boolean {
    if (!this.options.config.cursor || items.length === 0 || next === undefined) return true;
    return requestSignature(nextRequest) === requestSignature(request);
  }
}

/** What the cursor depends on; the item key is left out so re-keying does not restart the cursor. */
function settingsFingerprint(config: PollerConfig): string {
  const relevant = {
    url: config.url,
    method: config.method,
    query: config.query ?? {},
    body: config.body ?? null,
    itemsPath: config.itemsPath,
    cursor: config.cursor ?? null,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 16);
}
