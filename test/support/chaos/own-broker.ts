import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../kafka';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
const KAFKA_SCRIPT = join(ROOT, 'scripts', 'kafka', 'kafka.sh');

/**
 * A Kafka broker of its own (`scripts/kafka/kafka.sh` on free ports, its own data folder), so a fault
 * test may kill it and start it again on the same data: never the broker other tests share.
 */
export class OwnBroker {
  private constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly dataDir: string,
    readonly port: number,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async create(label: string, port: number, controllerPort: number): Promise<OwnBroker> {
    const dataDir = join(ROOT, '.flint', `chaos-kafka-${label}`);
    rmSync(dataDir, { recursive: true, force: true });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FLINT_KAFKA_DATA_DIR: dataDir,
      FLINT_KAFKA_PORT: String(port),
      FLINT_KAFKA_CONTROLLER_PORT: String(controllerPort),
    };
    // kafka.sh starts nothing when KAFKA_BROKERS names a cluster (the tests' shared broker, say).
    delete env.KAFKA_BROKERS;
    const broker = new OwnBroker(env, dataDir, port);
    await broker.start();
    return broker;
  }

  async start(): Promise<void> {
    try {
      await run('bash', [KAFKA_SCRIPT, 'start'], { env: this.env, maxBuffer: 10 * 1024 * 1024 });
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`the chaos broker did not start:\n${stdout}${stderr}`, { cause: err });
    }
  }

  /** Signals the broker's JVM (its pid is in the data folder) and waits for it to be gone. */
  async stop(signal: NodeJS.Signals): Promise<void> {
    const pid = Number(readFileSync(join(this.dataDir, 'kafka.pid'), 'utf8').trim());
    process.kill(pid, signal);
    await waitFor(() => !alive(pid), {
      timeoutMs: 60_000,
      description: `the broker (pid ${pid}) to exit after ${signal}`,
    });
  }

  async dispose(): Promise<void> {
    await run('bash', [KAFKA_SCRIPT, 'stop'], { env: this.env }).catch(() => undefined);
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
