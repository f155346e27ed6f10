import { z } from 'zod';

/** The message never echoes the value: a DATABASE_URL may carry a password. */
const PostgresUrlSchema = z
  .string()
  .refine(
    isPostgresUrl,
    'must be a postgres:// or postgresql:// URL like postgres://user@host:5432/db',
  );

const PoolMaxSchema = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(1000, 'must be at most 1000');

/** The store's environment variables; an empty DATABASE_URL counts as unset (compose files often write `DATABASE_URL=`). */
export const StoreConfigSchema = z
  .object({
    DATABASE_URL: z.preprocess(emptyToUndefined, PostgresUrlSchema.optional()),
    FLINT_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('.flint/data')),
    DATABASE_POOL_MAX: z.preprocess(emptyToUndefined, PoolMaxSchema.default(10)),
  })
  .transform((env): StoreConfig => ({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.FLINT_DATA_DIR,
    poolMax: env.DATABASE_POOL_MAX,
  }));

export interface StoreConfig {
  /** PostgreSQL to use; when unset the embedded PGlite database in `${dataDir}/pglite` is used. */
  databaseUrl?: string;
  dataDir: string;
  /** Most connections one process opens to PostgreSQL. */
  poolMax: number;
}

export class StoreConfigError extends Error {
  override readonly name = 'StoreConfigError';
}

export function storeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const result = StoreConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new StoreConfigError(`invalid store configuration: ${problems.join('; ')}`);
}

/** Where the embedded database keeps its files. */
export function pgliteDataDir(config: Pick<StoreConfig, 'dataDir'>): string {
  return `${config.dataDir}/pglite`;
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
  } catch {
    return false;
  }
}

function emptyToUndefined(value: unknown): unknown {
  return value === '' ? undefined : value;
}
