/** Anything SQL can be sent to: the store itself, or the handle of one open transaction. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

export type StoreKind = 'postgres' | 'pglite';

/**
 * PostgreSQL or the embedded PGlite behind one interface. Inside `transaction`, send every statement
 * through the `tx` handle: statements sent to the store itself are not part of the transaction.
 */
export interface Store extends Queryable {
  readonly kind: StoreKind;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Resolves when the database answers; throws with the reason when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
