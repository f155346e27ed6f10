import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { type StoreConfig, pgliteDataDir } from '@flint/store';

/** How to run `create-embedded-database` as a process of its own: the program and its arguments. */
export interface ChildCommand {
  program: string;
  args: string[];
}

/**
 * True when the stack would create its embedded database now: no DATABASE_URL and no PostgreSQL
 * cluster in the data folder yet (PG_VERSION is the first file initdb writes and the last it needs).
 */
export function embeddedDatabaseMissing(config: StoreConfig): boolean {
  return config.databaseUrl === undefined && !existsSync(join(pgliteDataDir(config), 'PG_VERSION'));
}

/** This Node with this process's flags (the stack's, or ts-node's) running the creation script. */
export function createEmbeddedDatabaseCommand(): ChildCommand {
  return {
    program: process.execPath,
    args: [...process.execArgv, join(__dirname, `create-embedded-database${extname(__filename)}`)],
  };
}

/**
 * Creating the embedded database (PostgreSQL's initdb inside PGlite, then every migration) grows a
 * process by about 120 MB that closing PGlite does not give back to the operating system, not even
 * from a worker thread. So the first start creates it in a short-lived process of its own, and the
 * stack opens the finished files as every later start does. Does nothing once the database exists.
 */
export async function createEmbeddedDatabaseApart(
  config: StoreConfig,
  env: NodeJS.ProcessEnv,
  command: ChildCommand = createEmbeddedDatabaseCommand(),
): Promise<void> {
  if (!embeddedDatabaseMissing(config)) return;
  const child = spawn(command.program, command.args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  if (exit.code !== 0) {
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
    throw new Error(
      `creating the embedded database in ${pgliteDataDir(config)} failed: the process ${how}${errors ? `:\n${errors.trim()}` : ''}`,
    );
  }
}
