import type { Queryable } from './store';

/**
 * A `tx` handle that refuses work once its transaction is over, so a query leaked into a timer or a
 * forgotten promise fails loudly instead of running outside the transaction it was written for.
 */
export function transactionHandle(
  send: (sql: string, params?: readonly unknown[]) => Promise<unknown[]>,
): { tx: Queryable; finish(): void } {
  let finished = false;
  const tx: Queryable = {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      if (finished) {
        throw new Error(
          'this transaction is already over: run queries before its callback returns',
        );
      }
      return (await send(sql, params)) as T[];
    },
  };
  return {
    tx,
    finish: () => {
      finished = true;
    },
  };
}
