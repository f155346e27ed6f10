import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { FlintApiClient } from './api-client';
import { registerAccessCommands } from './commands/access';
import { registerCompletionCommands } from './commands/completion';
import { registerContextCommands } from './commands/context';
import { registerDefinitionCommands } from './commands/definitions';
import { registerDlqCommands } from './commands/dlq';
import { registerEmitCommands } from './commands/emit';
import { registerEventCommands } from './commands/events';
import { registerReplayCommands } from './commands/replay';
import { registerBacktestCommands } from './commands/backtest';
import { registerRunCommands } from './commands/runs';
import { registerScheduleCommands } from './commands/schedules';
import { registerTestCommands } from './commands/test';
import { CliConfigFile, cliConfigPath, contextApiKey } from './contexts';
import { flintVersion } from './version';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Folder relative paths, including the local stack's key file, are resolved against. */
  cwd: string;
  /** Ends a command that runs until stopped (`events --follow`); Ctrl-C when not given. */
  stop?: AbortSignal;
}

/** Where the local stack leaves the admin key it generated, so `flint` works there without setup. */
export const LOCAL_ADMIN_KEY_FILE = '.flint/local/admin-api-key';

/** The options every command that talks to the API accepts. */
export interface ApiOptions {
  apiUrl?: string;
  apiKey?: string;
  context?: string;
}

const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/**
 * What a command module gets: the IO, a way to set the exit code and an API client built from the
 * command's flags or the environment. Command modules live in `commands/` and register themselves
 * on the program in `runCli`.
 */
export interface CommandContext {
  io: CliIo;
  fail(code?: number): void;
  client(options: ApiOptions): FlintApiClient;
  /** The config file holding the named contexts. */
  config: CliConfigFile;
}

/** Adds `--api-url`, `--api-key` and `--context` to a command that talks to the API. */
export function withApiOptions(command: Command): Command {
  return command
    .option('--api-url <url>', 'Flint API base URL (env FLINT_API_URL)')
    .option('--api-key <key>', 'API key (env FLINT_API_KEY)')
    .option('--context <name>', 'use this context instead of the current one (env FLINT_CONTEXT)');
}

/** Runs the `flint` command line and returns the exit code; never calls `process.exit` itself. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const config = new CliConfigFile(cliConfigPath(io.env));
  const context: CommandContext = {
    io,
    fail: (code = 1) => {
      exitCode = code;
    },
    client: (options) => apiClient(options, io, config),
    config,
  };
  // Named as a fresh clone runs it: `flint` is on no PATH until the package is installed.
  const program = new Command('npx flint')
    .description('Manage Flint: sources, triggers, runs, custom events, secrets and API keys')
    .version(flintVersion(), '-V, --version', 'print the Flint version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });

  registerDefinitionCommands(program, context);
  registerAccessCommands(program, context);
  registerRunCommands(program, context);
  registerEventCommands(program, context);
  registerReplayCommands(program, context);
  registerDlqCommands(program, context);
  registerScheduleCommands(program, context);
  registerTestCommands(program, context);
  registerBacktestCommands(program, context);
  registerEmitCommands(program, context);
  registerContextCommands(program, context);
  registerCompletionCommands(program, context);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return exitCode;
}

/**
 * Where a command sends its calls and with which key: flags, then FLINT_API_URL / FLINT_API_KEY,
 * then the selected context (`--context`, FLINT_CONTEXT or the current one). With no context in
 * play, the local stack's defaults: its URL and the admin key it generated. The local key is never
 * sent to a context's URL.
 */
function apiClient(options: ApiOptions, io: CliIo, config: CliConfigFile): FlintApiClient {
  const { env } = io;
  const selected = config.selected(options.context ?? (env.FLINT_CONTEXT || undefined));
  const url = options.apiUrl ?? env.FLINT_API_URL ?? selected?.apiUrl ?? DEFAULT_API_URL;
  const key =
    options.apiKey ??
    env.FLINT_API_KEY ??
    (selected ? contextApiKey(selected) : localAdminKey(env, io.cwd));
  return new FlintApiClient(url, key);
}

function localAdminKey(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.FLINT_ADMIN_API_KEY) return env.FLINT_ADMIN_API_KEY;
  const localKey = resolve(cwd, LOCAL_ADMIN_KEY_FILE);
  if (existsSync(localKey)) return readFileSync(localKey, 'utf8').trim();
  return undefined;
}
