import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ServiceName, serviceFolder } from '@flint/contracts';
import { portVariable } from '@flint/service-kit';
import { waitFor } from '../kafka';

const DIST = join(__dirname, '..', '..', '..', 'dist');

/** One process of a service: replica 1, or 2 when a service runs twice. */
export interface Instance {
  name: ServiceName;
  replica: 1 | 2;
}

/**
 * Flint's services, each in a process of its own from the compiled `dist/apps/<service>/src/main.js`
 * (as deployed), on fixed ports so a restarted one answers where the old one did; a service may run
 * as two replicas. Each can be signalled (kill -9, SIGTERM) and started again; its last lines of
 * stderr are kept for a failure.
 */
export class ServiceProcesses {
  private readonly children = new Map<string, ChildProcess>();
  private readonly errors = new Map<string, string>();

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    /** By instance (`evaluator`, or `evaluator-2` for a second replica). */
    private readonly ports: ReadonlyMap<string, number>,
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
    return `http://127.0.0.1:${this.port(instanceKey({ name, replica: 1 }))}`;
  }

  /** Starts the instance and waits until `/health` answers 200 (Kafka and the database usable). */
  async start(instance: Instance): Promise<void> {
    const { name } = instance;
    const key = instanceKey(instance);
    const port = this.port(key);
    const child = spawn(process.execPath, [mainFile(name)], {
      env: { ...this.env, [portVariable(name)]: String(port) },
      stdio: ['ignore', this.logDir ? 'pipe' : 'ignore', 'pipe'],
    });
    if (this.logDir) {
      const file = createWriteStream(join(this.logDir, `${key}.log`), { flags: 'a' });
      child.stdout?.pipe(file);
      child.stderr?.pipe(file);
    }
    this.children.set(key, child);
    this.errors.set(key, '');
    child.stderr?.on('data', (chunk: Buffer) => {
      this.errors.set(key, ((this.errors.get(key) ?? '') + chunk.toString()).slice(-4_000));
    });
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`${key} exited with ${child.exitCode ?? child.signalCode}`);
        }
        const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return response?.ok === true;
      },
      { timeoutMs: 120_000, intervalMs: 250, description: `${key} to be ready` },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}:\n${this.errors.get(key)}`, { cause: err });
    });
  }

  /** Sends `signal` and waits for the process to exit (a SIGTERM'd service drains first). */
  async stop(instance: Instance, signal: NodeJS.Signals): Promise<void> {
    const child = this.children.get(instanceKey(instance));
    if (child) await stopChild(child, signal);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children.values()].map((child) => stopChild(child, 'SIGTERM')));
  }

  private port(key: string): number {
    const port = this.ports.get(key);
    if (port === undefined) throw new Error(`no port for ${key}`);
    return port;
  }
}

/** `evaluator` for the first replica, `evaluator-2` for the second. */
export function instanceKey({ name, replica }: Instance): string {
  return replica === 1 ? name : `${name}-${replica}`;
}

/** Signals the process and waits for it to exit; a SIGTERM'd service drains first (at most 60 s). */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}

function mainFile(name: ServiceName): string {
  return join(DIST, serviceFolder(name), 'src', 'main.js');
}
