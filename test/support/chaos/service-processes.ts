import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceName, serviceFolder } from '@flint/contracts';
import { portVariable } from '@flint/service-kit';
import { waitFor } from '../kafka';

const DIST = join(__dirname, '..', '..', '..', 'dist');

/**
 * Flint's services, each in a process of its own from the compiled `dist/apps/<service>/src/main.js`
 * (as deployed), on fixed ports so a restarted one answers where the old one did. Each can be
 * signalled (kill -9, SIGTERM) and started again; its last lines of stderr are kept for a failure.
 */
export class ServiceProcesses {
  private readonly children = new Map<ServiceName, ChildProcess>();
  private readonly errors = new Map<ServiceName, string>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly ports: ReadonlyMap<ServiceName, number>,
    /** When given, each service's output is appended to `<logDir>/<service>.log`. */
    private readonly logDir?: string,
  ) {}

  /** Throws when a service has no build, naming the command that makes one. */
  static assertBuilt(names: readonly ServiceName[]): void {
    const missing = names.filter((name) => !existsSync(mainFile(name)));
    if (missing.length > 0) {
      throw new Error(`dist has no build of ${missing.join(', ')}: run \`npm run build\` first`);
    }
  }

  url(name: ServiceName): string {
    return `http://127.0.0.1:${this.port(name)}`;
  }

  /** Starts the service and waits until `/health` answers 200 (Kafka and the database usable). */
  async start(name: ServiceName): Promise<void> {
    const child = spawn(process.execPath, [mainFile(name)], {
      env: { ...this.env, [portVariable(name)]: String(this.port(name)) },
      stdio: ['ignore', this.logDir ? 'pipe' : 'ignore', 'pipe'],
    });
    if (this.logDir) {
      const file = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
      child.stdout?.pipe(file);
      child.stderr?.pipe(file);
    }
    this.children.set(name, child);
    this.errors.set(name, '');
    child.stderr?.on('data', (chunk: Buffer) => {
      this.errors.set(name, ((this.errors.get(name) ?? '') + chunk.toString()).slice(-4_000));
    });
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}`);
        }
        const response = await fetch(`${this.url(name)}/health`).catch(() => undefined);
        return response?.ok === true;
      },
      { timeoutMs: 120_000, intervalMs: 250, description: `${name} to be ready` },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}:\n${this.errors.get(name)}`, { cause: err });
    });
  }

  /** Sends `signal` and waits for the process to exit (a SIGTERM'd service drains first). */
  async stop(name: ServiceName, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.keys()].map((name) => this.stop(name, 'SIGTERM')));
  }

  private port(name: ServiceName): number {
    const port = this.ports.get(name);
    if (port === undefined) throw new Error(`no port for ${name}`);
    return port;
  }
}

function mainFile(name: ServiceName): string {
  return join(DIST, serviceFolder(name), 'src', 'main.js');
}
