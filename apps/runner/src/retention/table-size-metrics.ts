import type { RunRetentionRepository } from '@flint/store';
import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * The size of the tables that grow with traffic, read from PostgreSQL's catalog when Prometheus
 * scrapes: `flint_store_table_bytes{table}` and `flint_store_table_rows{table}` (the planner's
 * estimate). Reported by the runner, which keeps the runs table's retention; every service shares
 * the one database.
 */
export function registerTableSizeMetrics(
  registry: Registry,
  store: Pick<RunRetentionRepository, 'tableSizes'>,
): void {
  const rows = new Gauge({
    name: 'flint_store_table_rows',
    help: 'Estimated rows of each table that grows with traffic.',
    labelNames: ['table'],
    registers: [registry],
  });
  new Gauge({
    name: 'flint_store_table_bytes',
    help: 'Bytes (heap, indexes and TOAST) of each table that grows with traffic.',
    labelNames: ['table'],
    registers: [registry],
    async collect() {
      // A database that does not answer leaves the last values; /health reports the database.
      const sizes = await store.tableSizes().catch(() => []);
      for (const size of sizes) {
        this.set({ table: size.table }, size.bytes);
        rows.set({ table: size.table }, size.rows);
      }
    },
  });
}

/** `flint_store_pruned_rows_total{table}`: rows the retentions deleted, by table. */
export function prunedRowsCounter(registry: Registry): Counter<'table'> {
  return new Counter({
    name: 'flint_store_pruned_rows_total',
    help: 'Rows deleted by the retentions (finished runs, the state of deleted sources, dead letters), by table.',
    labelNames: ['table'],
    registers: [registry],
  });
}
