import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ApiError, FlintApiClient } from './api-client';
import { type LoadResult, formatProblem, loadDefinitionFiles } from './definition-files';

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
    .description('Manage Flint sources and triggers')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });

  program
    .command('validate')
    .description('check definition files without applying them')
    .requiredOption('-f, --file <paths...>', 'definition files or folders (YAML or JSON)')
    .action(async (options: { file: string[] }) => {
      const loaded = await loadDefinitionFiles(options.file);
      exitCode = reportProblems(loaded, io);
      if (exitCode === 0) io.out(`${loaded.definitions.length} definition(s) valid`);
    });

  withApiOptions(
    program
      .command('apply')
      .description(
        'validate definition files and store them; nothing is applied if any file is invalid',
      )
      .requiredOption('-f, --file <paths...>', 'definition files or folders (YAML or JSON)'),
  ).action(async (options: { file: string[] } & ApiOptions) => {
    const loaded = await loadDefinitionFiles(options.file);
    exitCode = reportProblems(loaded, io);
    if (exitCode !== 0) return;
    const client = context.client(options);
    try {
      const results = await client.applyDefinitions(loaded.definitions.map((d) => d.definition));
      for (const r of results) io.out(`${r.kind} ${r.id}: ${r.action} (version ${r.version})`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      io.err(`apply failed: ${err.message}`);
      for (const issue of err.issues) io.err(`  ${issue.path}: ${issue.message}`);
      exitCode = 1;
    }
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return exitCode;
}

function reportProblems(loaded: LoadResult, io: CliIo): number {
  if (loaded.problems.length === 0) return 0;
  for (const problem of loaded.problems) io.err(formatProblem(problem));
  io.err(`${loaded.problems.length} problem(s); nothing was applied`);
  return 1;
}

function resolveApiKey(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.FLINT_API_KEY) return env.FLINT_API_KEY;
  if (env.FLINT_ADMIN_API_KEY) return env.FLINT_ADMIN_API_KEY;
  const localKey = resolve(cwd, LOCAL_ADMIN_KEY_FILE);
  if (existsSync(localKey)) return readFileSync(localKey, 'utf8').trim();
  return undefined;
}
