import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MIGRATIONS,
  PgliteStore,
  appliedMigrations,
  pgliteDataDir,
  storeConfigFromEnv,
} from '@flint/store';
import {
  type ChildCommand,
  createEmbeddedDatabaseApart,
  embeddedDatabaseMissing,
} from '../../../apps/local-stack/src/embedded-database';

const ROOT = join(__dirname, '..', '..', '..');

/** The creation script as TypeScript, the way the tests run every other service process. */
const TS_COMMAND: ChildCommand = {
  program: process.execPath,
  args: [
    '-r',
    'ts-node/register/transpile-only',
    '-r',
    'tsconfig-paths/register',
    join(ROOT, 'apps/local-stack/src/create-embedded-database.ts'),
  ],
};

/** The first start's database, created in a process of its own so its memory goes with it. */
describe('creating the embedded database apart', () => {
  let dataDir: string;
  const envOf = (): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FLINT_DATA_DIR: dataDir,
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
    };
    delete env.DATABASE_URL;
    delete env.NODE_OPTIONS;
    return env;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flint-embedded-db-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates and migrates the database in a child process, then leaves it alone', async () => {
    const config = storeConfigFromEnv(envOf());
    expect(embeddedDatabaseMissing(config)).toBe(true);

    await createEmbeddedDatabaseApart(config, envOf(), TS_COMMAND);

    expect(embeddedDatabaseMissing(config)).toBe(false);
    const store = await PgliteStore.open({ dataDir: pgliteDataDir(config) });
    try {
      const applied = await appliedMigrations(store);
      expect(applied.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await store.close();
    }
    // Once it exists nothing is spawned: a command that could not run proves it.
    await createEmbeddedDatabaseApart(config, envOf(), {
      program: join(dataDir, 'no-such-program'),
      args: [],
    });
  });

  it('says which folder and why when the creating process fails', async () => {
    const config = storeConfigFromEnv(envOf());
    const failing: ChildCommand = {
      program: process.execPath,
      args: ['-e', 'process.stderr.write("disk full\\n"); process.exit(3)'],
    };
    await expect(createEmbeddedDatabaseApart(config, envOf(), failing)).rejects.toThrow(
      `creating the embedded database in ${pgliteDataDir(config)} failed: the process exited with 3:\ndisk full`,
    );
    expect(existsSync(join(pgliteDataDir(config), 'PG_VERSION'))).toBe(false);
  });

  it('has nothing to create on PostgreSQL', () => {
    const config = storeConfigFromEnv({
      ...envOf(),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
    expect(embeddedDatabaseMissing(config)).toBe(false);
  });
});
