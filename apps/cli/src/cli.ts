import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { FlintApiClient } from './api-client';
import { registerAccessCommands } from './commands/access';
import { registerDefinitionCommands } from './commands/definitions';
import { registerEmitCommands } from './commands/emit';
import { registerRunCommands } from './commands/runs';
import { registerTestCommands } from './commands/test';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Folder relative paths, including the local stack's key file, are resolved against. */
  cwd: string;
}

/** Where the local stack leaves the admin key it generated, so `flint` works there without setup. */
export const LOCAL_ADMIN_KEY_FILE = '.flint/local/admin-api-key';

/** The options every command that talks to the API accepts. */
export interface ApiOptions {
  apiUrl?: string;
  apiKey?: string;
}

/**
 * What a command module gets: the IO, a way to set the exit code and an API client built from the
 * command's flags or the environment. Command modules live in `commands/` and register themselves
 * on the program in `runCli`.
 */
export interface CommandContext {
  io: CliIo;
  fail(code?: number): void;
  client(options: ApiOptions): FlintApiClient;
}

/** Adds `--api-url` and `--api-key` to a command that talks to the API. */
export function withApiOptions(command: Command): Command {
  return command
    .option('--api-url <url>', 'Flint API base URL (env FLINT_API_URL)')
    .option('--api-key <key>', 'API key (env FLINT_API_KEY)');
}

/** Runs the `flint` command line and returns the exit code; never calls `process.exit` itself. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const context: CommandContext = {
    io,
    fail: (code = 1) => {
      exitCode = code;
    },
    client: (options) =>
      new FlintApiClient(
        options.apiUrl ?? io.env.FLINT_API_URL ?? 'http://127.0.0.1:8080',
        options.apiKey ?? resolveApiKey(io.env, io.cwd),
      ),
  };
  const program = new Command('flint')
    .description('Manage Flint: sources, triggers, runs, custom events, secrets and API keys')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });

  registerDefinitionCommands(program, context);
  registerAccessCommands(program, context);
  registerRunCommands(program, context);
  registerTestCommands(program, context);
  registerEmitCommands(program, context);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return exitCode;
}

function resolveApiKey(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.FLINT_API_KEY) return env.FLINT_API_KEY;
  if (env.FLINT_ADMIN_API_KEY) return env.FLINT_ADMIN_API_KEY;
  const localKey = resolve(cwd, LOCAL_ADMIN_KEY_FILE);
  if (existsSync(localKey)) return readFileSync(localKey, 'utf8').trim();
  return undefined;
}
