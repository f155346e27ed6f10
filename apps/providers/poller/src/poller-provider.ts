import type { EgressPolicy } from '@flint/common';
import {
  asHttpPollerConfig,
  DEFAULT_POLLER_EVENT_TYPE,
  type HttpPollerConfig,
  isSqlPollerConfig,
  type PollerConfig,
  type SqlPollerConfig,
} from '@flint/contracts';
import {
  type Emit,
  InvalidSourceError,
  resolveHeaders,
  type SourceContext,
  type SourceProviderImpl,
} from '@flint/provider-sdk';
import type { Queryable } from '@flint/store';
import type { HostLimiter } from './http/host-limiter';
import { HttpPollPages } from './http/http-poll-pages';
import { ItemExpression } from './http/item-expression';
import { checkJsonPath } from './http/items';
import { httpPollFetcher } from './http/poll-fetcher';
import { PollJob, type PollPages } from './polling/poll-job';
import { type PollBackoff, PollerSourceRunner } from './polling/poller-source-runner';
import { type PollerStateStore, SqlPollerStateStore } from './polling/poller-state';
import { SqlPollPages } from './sql/sql-poll-pages';
import { type SqlPoolLease, SqlPools } from './sql/sql-pools';

/** A poller source ready to run: its expressions compiled and paths checked at validation. */
export type PreparedPoller =
  | {
      kind: 'http';
      config: HttpPollerConfig;
      itemKey: ItemExpression;
      cursorField?: ItemExpression;
    }
  | { kind: 'sql'; config: SqlPollerConfig };

export interface PollerProviderOptions {
  /** Shared by every HTTP source of the process. */
  limiter: HostLimiter;
  /** The connection pools of SQL sources; one set per provider by default. */
  sqlPools?: SqlPools;
  maxPagesPerPoll?: number;
  /** Where HTTP polls may connect; link-local and metadata addresses are refused by default. */
  egress?: EgressPolicy;
  backoff?: Partial<PollBackoff>;
  /** Where cursors and emitted keys are kept; the `provider_state` table by default. */
  stateStore?: (db: Queryable) => PollerStateStore;
}

/**
 * Polls HTTP JSON APIs and PostgreSQL queries. Exclusive: each source is polled by one replica at a
 * time, holding a lease in the database that another replica takes over when it dies.
 */
export class PollerProvider implements SourceProviderImpl<'poller', PreparedPoller> {
  readonly kind = 'poller';
  readonly exclusive = true;
  private readonly sqlPools: SqlPools;

  constructor(private readonly options: PollerProviderOptions) {
    this.sqlPools = options.sqlPools ?? new SqlPools();
  }

  async validate(config: PollerConfig): Promise<PreparedPoller> {
    if (isSqlPollerConfig(config)) return { kind: 'sql', config };
    const http = asHttpPollerConfig(config);
    try {
      checkJsonPath(http.itemsPath);
      if (http.cursor?.from === 'next-page-token') checkJsonPath(http.cursor.path);
      return {
        kind: 'http',
        config: http,
        itemKey: await ItemExpression.compile(http.itemKey, 'itemKey'),
        cursorField:
          http.cursor?.from === 'max-field'
            ? await ItemExpression.compile(http.cursor.field, 'cursor.field')
            : undefined,
      };
    } catch (err) {
      throw new InvalidSourceError((err as Error).message);
    }
  }

  async run(ctx: SourceContext<'poller', PreparedPoller>, emit: Emit): Promise<void> {
    const prepared = ctx.config;
    const { config } = prepared;
    const lease = prepared.kind === 'sql' ? this.sqlPools.lease() : undefined;
    const pages =
      prepared.kind === 'sql'
        ? this.sqlPages(ctx, prepared.config, lease!)
        : this.httpPages(ctx, prepared);
    const job = new PollJob({
      sourceId: ctx.source.id,
      pages,
      state: (this.options.stateStore ?? ((db) => new SqlPollerStateStore(db)))(ctx.store),
      emit: (events) => emit.many(events),
      eventType: config.eventType ?? DEFAULT_POLLER_EVENT_TYPE,
      rememberKeys: config.rememberKeys,
      log: ctx.log,
      maxPages: this.options.maxPagesPerPoll,
    });
    const runner = new PollerSourceRunner({
      poll: (signal) => job.poll(signal),
      intervalMs: config.intervalSeconds * 1000,
      jitterMs: config.jitterSeconds * 1000,
      clock: ctx.clock,
      log: ctx.log,
      health: ctx.health,
      backoff: this.options.backoff,
    });
    try {
      await runner.run(ctx.signal);
    } finally {
      await lease?.release();
    }
  }

  private httpPages(
    ctx: SourceContext<'poller', PreparedPoller>,
    prepared: Extract<PreparedPoller, { kind: 'http' }>,
  ): PollPages {
    const { config } = prepared;
    return new HttpPollPages({
      config,
      itemKey: prepared.itemKey,
      cursorField: prepared.cursorField,
      fetch: httpPollFetcher({
        limiter: this.options.limiter,
        timeoutMs: config.timeoutMs,
        clock: ctx.clock,
        egress: this.options.egress,
      }),
      headers: () => resolveHeaders(config.headers, ctx.secrets),
    });
  }

  private sqlPages(
    ctx: SourceContext<'poller', PreparedPoller>,
    config: SqlPollerConfig,
    pools: SqlPoolLease,
  ): PollPages {
    return new SqlPollPages({
      sql: config.sql,
      timeoutMs: config.timeoutMs,
      connectionString: () => ctx.secrets.resolve(config.sql.connectionRef),
      pools,
      log: ctx.log,
    });
  }
}
