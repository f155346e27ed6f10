import type { HttpPollerConfig } from '@flint/contracts';
import { asCursorValue, compareCursors } from '../polling/cursor-order';
import type { ItemExpression } from './item-expression';
import { extractItems, firstMatch } from './items';
import type { PollFetcher } from './poll-fetcher';
import {
  fingerprintOf,
  type KeyedItem,
  keyItems,
  type PageReader,
  type PolledPage,
  type PollPages,
} from '../polling/poll-job';
import {
  buildPollRequest,
  type CursorValue,
  type PollRequest,
  requestSignature,
} from './poll-request';
import type { PollerState } from '../polling/poller-state';

export interface HttpPollPagesOptions {
  config: HttpPollerConfig;
  itemKey: ItemExpression;
  /** The `max-field` cursor's expression. */
  cursorField?: ItemExpression;
  fetch: PollFetcher;
  /** Request headers with secrets resolved. */
  headers: () => Promise<Record<string, string>>;
}

/**
 * The pages of an HTTP JSON API: a request built from the cursor, conditional on the last
 * response's validators, its items found with JSONPath; pages follow while the cursor moves.
 */
export class HttpPollPages implements PollPages {
  readonly fingerprint: string;
  readonly initialCursor: CursorValue | undefined;

  constructor(private readonly options: HttpPollPagesOptions) {
    const { config } = options;
    this.fingerprint = settingsFingerprint(config);
    this.initialCursor = config.cursor?.from === 'max-field' ? config.cursor.initial : undefined;
  }

  async begin(): Promise<PageReader> {
    const headers = await this.options.headers();
    return (state, signal) => this.read(state, headers, signal);
  }

  private async read(
    state: PollerState,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<PolledPage> {
    const { config, itemKey } = this.options;
    const request = buildPollRequest(config, state.cursor, headers);
    const signature = requestSignature(request);
    const conditional = state.conditional?.request === signature ? state.conditional : undefined;
    const result = await this.options.fetch(request, conditional, signal);
    if (result.notModified) return { notModified: true };

    const items = keyItems(
      extractItems(result.body, config.itemsPath),
      (item) => itemKey.evaluate(item),
      'itemKey',
    );
    const cursor = this.nextCursor(state.cursor, result.body, items);
    const { etag, lastModified } = result.validators;
    return {
      notModified: false,
      items,
      cursor,
      ...(etag || lastModified ? { conditional: { request: signature, etag, lastModified } } : {}),
      caughtUp: this.caughtUp(request, items, cursor, buildPollRequest(config, cursor, headers)),
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
function settingsFingerprint(config: HttpPollerConfig): string {
  return fingerprintOf({
    url: config.url,
    method: config.method,
    query: config.query ?? {},
    body: config.body ?? null,
    itemsPath: config.itemsPath,
    cursor: config.cursor ?? null,
  });
}
