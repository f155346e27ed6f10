import { initialMigration } from './0001_initial';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** Every migration, oldest first. */
export const MIGRATIONS: readonly Migration[] = [initialMigration];
