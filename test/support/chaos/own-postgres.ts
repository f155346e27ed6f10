import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { waitFor } from '../kafka';

const run = promisify(execFile);

/**
 * A PostgreSQL server of its own (initdb into a scratch folder, a free port), so a fault test may kill
 * it: never the machine's shared server. Run as the `postgres` user when this process is root, since
 * PostgreSQL refuses to run as root.
 */
export class OwnPostgres {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    private readonly dataDir: string,
    readonly port: number,
    private readonly user: { uid: number; gid: number } | undefined,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Whether initdb and postgres can be found on PATH. */
  static available(): boolean {
    return (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, 'initdb')));
  }

  static async create(port: number): Promise<OwnPostgres> {
    const root = mkdtempSync(join(tmpdir(), 'flint-chaos-pg-'));
    const dataDir = join(root, 'data');
    const user = process.getuid?.() === 0 ? await postgresUser() : undefined;
    if (user) chownSync(root, user.uid, user.gid);
    await run(
      ...asUser(user, 'initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']),
    );
    const server = new OwnPostgres(dataDir, port, user);
    await server.start();
    return server;
  }

  /**
   * Starts the server and waits until it answers. After a kill -9 its backends outlive it for a
   * moment and a new server refuses the shared memory they still hold, so starting is retried.
   */
  async start(): Promise<void> {
    await waitFor(() => this.startOnce(), {
      timeoutMs: 90_000,
      intervalMs: 500,
      description: `PostgreSQL to start on port ${this.port}`,
    }).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${this.output}`, { cause: err });
    });
  }

  private async startOnce(): Promise<boolean> {
    const [command, args] = asUser(this.user, 'postgres', [
      '-D',
      this.dataDir,
      '-p',
      String(this.port),
      '-k',
      this.dataDir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      // A killed server loses nothing the OS holds; fsync only guards against the machine crashing.
      '-c',
      'fsync=off',
    ]);
    this.output = '';
    // A process group of its own, so a kill reaches the server processes too, as when a machine dies.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.on('data', (chunk: Buffer) => this.remember(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.remember(chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    this.child = child;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) return false;
      if (await this.answers()) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    child.kill('SIGKILL');
    await exited;
    return false;
  }

  private async answers(): Promise<boolean> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Signals the server's whole process group (the postmaster and its backends; a kill -9 of the
   * postmaster alone leaves backends serving their connections for a while) and waits for it.
   */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-(child.pid as number), signal);
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGTERM').catch(() => this.child?.kill('SIGKILL'));
    rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
  }

  private remember(chunk: Buffer): void {
    this.output = (this.output + chunk.toString()).slice(-4_000);
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** The command line that runs `command` as `user` (setpriv execs, so the pid is the server's own). */
function asUser(
  user: { uid: number; gid: number } | undefined,
  command: string,
  args: string[],
): [string, string[]] {
  if (!user) return [command, args];
  return [
    'setpriv',
    [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', command, ...args],
  ];
}
