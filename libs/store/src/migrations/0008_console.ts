import type { Migration } from './migration';

/**
 * What the web console reads besides the history API's tables:
 *
 * - `runs.updated_at`, moved by every update, so the API can stream run changes by polling one
 *   index. A trigger sets it rather than every statement of the runner, so no write can forget it;
 *   `clock_timestamp()` is the moment of the update, not of its transaction's start, so a poller
 *   that re-reads a few seconds back sees every committed change. Existing rows keep the
 *   migration's time (`now()` as the default adds the column without rewriting the table).
 * - `source_activity`: events per source and minute (those it published, and for `event` and
 *   `run-status` sources those that reached it by type), and under source id `*` every event the
 *   evaluator consumed, for events/s on the overview. Written with the trigger counts, in the same
 *   flush.
 * - `source_status`: what each provider replica says about each source it runs, reported every
 *   few seconds; a source nobody reported lately is down.
 */
export const consoleMigration: Migration = {
  version: 8,
  name: 'console',
  statements: [
    `ALTER TABLE runs ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`,
    `CREATE FUNCTION flint_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       NEW.updated_at := clock_timestamp();
       RETURN NEW;
     END
     $$`,
    `CREATE TRIGGER runs_touch_updated_at BEFORE UPDATE ON runs
       FOR EACH ROW EXECUTE FUNCTION flint_touch_updated_at()`,
    `CREATE INDEX runs_updated_idx ON runs (updated_at)`,
    `CREATE TABLE source_activity (
      source_id text NOT NULL,
      minute timestamptz NOT NULL,
      events bigint NOT NULL DEFAULT 0,
      PRIMARY KEY (source_id, minute)
    )`,
    `CREATE INDEX source_activity_minute_idx ON source_activity (minute)`,
    `CREATE TABLE source_status (
      source_id text NOT NULL,
      replica text NOT NULL,
      provider text NOT NULL,
      version integer NOT NULL,
      state text NOT NULL,
      error text,
      reported_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source_id, replica)
    )`,
    `CREATE INDEX source_status_replica_idx ON source_status (replica, provider)`,
  ],
};
