import type { Queryable, Store } from '@flint/store';
import type { Registry } from 'prom-client';
import { sharedCounter } from './metrics';

/**
 * The service's view of the store, counting what it sends: `flint_store_statements_total` (every
 * statement is one round trip to the database, BEGIN and COMMIT included) and
 * `flint_store_transactions_total`. Per service, also in the local stack where the services share one
 * store, so "statements per run" can be read for each service (bench/README.md) and an operator sees
 * which service loads the database.
 */
export function measuredStore(store: Store, registry: Registry): Store {
  const statements = sharedCounter(registry, {
    name: 'flint_store_statements_total',
    help: 'Statements this service sent to the database (each one round trip; BEGIN/COMMIT/ROLLBACK included).',
  });
  const transactions = sharedCounter(registry, {
    name: 'flint_store_transactions_total',
    help: 'Transactions this service ran on the database.',
  });
  return {
    kind: store.kind,
    query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      statements.inc();
      return store.query<T>(sql, params);
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      transactions.inc();
      // BEGIN and its COMMIT or ROLLBACK.
      statements.inc(2);
      return store.transaction((tx) =>
        fn({
          query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
            statements.inc();
            return tx.query<R>(sql, params);
          },
        }),
      );
    },
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
