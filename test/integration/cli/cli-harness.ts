import { tmpdir } from 'node:os';
import { runCli } from '../../../apps/cli/src/cli';
import { ADMIN_KEY } from '../api/api-harness';

export interface CliRun {
  code: number;
  stdout: string[];
  stderr: string[];
}

export interface CliOptions {
  /** Points the CLI at this API with the admin key (`env` may still override either). */
  apiUrl?: string;
  /** What relative paths are read from; the OS temp folder unless given. */
  cwd?: string;
  /** The CLI's whole environment besides `apiUrl`: the test process's own is never seen. */
  env?: NodeJS.ProcessEnv;
}

/** Runs the CLI in-process, as `flint <args>`, capturing the lines it prints and its exit code. */
export async function runFlint(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const api = options.apiUrl ? { FLINT_API_URL: options.apiUrl, FLINT_API_KEY: ADMIN_KEY } : {};
  const code = await runCli(args, {
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    env: { ...api, ...options.env },
    cwd: options.cwd ?? tmpdir(),
  });
  return { code, stdout, stderr };
}
