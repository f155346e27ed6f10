import { openStore, storeConfigFromEnv } from '@flint/store';

/**
 * Run by `createEmbeddedDatabaseApart` as a process of its own: creates and migrates the embedded
 * database named by the environment, then exits so its memory goes back to the system.
 */
async function createEmbeddedDatabase(): Promise<void> {
  const store = await openStore(storeConfigFromEnv(process.env));
  await store.close();
}

createEmbeddedDatabase().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
