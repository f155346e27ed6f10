import type { PollerConfig } from '@flint/contracts';
import {
  type Emit,
  InvalidSourceError,
  type SourceContext,
  type SourceProviderImpl,
} from '@flint/provider-sdk';
import type { Queryable } from '@flint/store';
import type { HostLimiter } from './host-limiter';
import { ItemExpression } from './item-expression';
import { checkJsonPath } from './items';
import { httpPollFetcher } from './poll-fetcher';
import { PollJob } from './poll-job';
import { resolveHeaders } from './poll-request';
import { type PollBackoff, PollerSourceRunner } from './poller-source-runner';
import { type PollerStateStore, SqlPollerStateStore } from './poller-state';

/** A poller source ready to run: its expressions compiled and paths checked at validation. */
export interface PreparedPoller {
  config: PollerConfig;
  itemKey: ItemExpression;
  cursorField?: ItemExpression;
}

export interface PollerProviderOptions {
  /** Shared by every source of the process. */
  limiter: HostLimiter;
  maxPagesPerPoll?: number;
  backoff?: Partial<PollBackoff>;
  /** Where cursors and emitted keys are kept; the `provider_state` table by default. */
  stateStore?: (db: Queryable) => PollerStateStore;
}

/**
 * Polls HTTP JSON APIs. Exclusive: each source is polled by one replica at a time, holding a lease
 * in the database that another replica takes over when it dies.
 */
export class PollerProvider implements SourceProviderImpl<'poller', PreparedPoller> {
  readonly kind = 'poller';
  readonly exclusive = true;

  constructor(private readonly options: PollerProviderOptions) {}

  async validate(config: PollerConfig): Promise<PreparedPoller> {
    try {
      checkJsonPath(config.itemsPath);
      if (config.cursor?.from === 'next-page-token') checkJsonPath(config.cursor.path);
      return {
        config,
        itemKey: await ItemExpression.compile(config.itemKey, 'itemKey'),
        cursorField:
          config.cursor?.from === 'max-field'
            ? await ItemExpression.compile(config.cursor.field, 'cursor.field')
            : undefined,
      };
    } catch (err) {
      throw new InvalidSourceError((err as Error).message);
    }
  }

  async run(ctx: SourceContext<'poller', PreparedPoller>, emit: Emit): Promise<void> {
    const { config, itemKey, cursorField } = ctx.config;
    const job = new PollJob({
      sourceId: ctx.source.id,
      config,
      itemKey,
      cursorField,
      fetch: httpPollFetcher({
        limiter: this.options.limiter,
        timeoutMs: config.timeoutMs,
        clock: ctx.clock,
      }),
      headers: () => resolveHeaders(config.headers, ctx.secrets),
      state: (this.options.stateStore ?? ((db) => new SqlPollerStateStore(db)))(ctx.store),
      emit: (events) => emit.many(events),
      log: ctx.log,
      maxPages: this.options.maxPagesPerPoll,
    });
    const runner = new PollerSourceRunner({
      poll: (signal) => job.poll(signal),
      intervalMs: config.intervalSeconds * 1000,
      jitterMs: config.jitterSeconds * 1000,
      clock: ctx.clock,
      log: ctx.log,
      backoff: this.options.backoff,
    });
    await runner.run(ctx.signal);
  }
}
