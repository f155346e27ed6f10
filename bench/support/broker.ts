import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const KAFKA_SCRIPT = join(ROOT, 'scripts', 'kafka', 'kafka.sh');

export interface Broker {
  brokers: string;
  /** Stops the broker this run started (none when KAFKA_BROKERS named one). */
  stop(): Promise<void>;
}

/** KAFKA_BROKERS when set; otherwise a broker of the benchmark's own, on free ports, in its own folder. */
export async function startBroker(log: (line: string) => void): Promise<Broker> {
  if (process.env.KAFKA_BROKERS) {
    return { brokers: process.env.KAFKA_BROKERS, stop: async () => undefined };
  }
  const dataDir = join(ROOT, '.flint', `bench-kafka-${process.pid}`);
  await rm(dataDir, { recursive: true, force: true });
  const [port, controllerPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FLINT_KAFKA_DATA_DIR: dataDir,
    FLINT_KAFKA_PORT: String(port),
    FLINT_KAFKA_CONTROLLER_PORT: String(controllerPort),
  };
  log(`starting a Kafka broker on 127.0.0.1:${port} (data in ${dataDir})`);
  const stop = async () => {
    await run('bash', [KAFKA_SCRIPT, 'stop'], { env }).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await run('bash', [KAFKA_SCRIPT, 'start'], { env, maxBuffer: 10 * 1024 * 1024 });
  } catch (err) {
    await stop();
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`the benchmark's Kafka broker did not start:\n${stdout}${stderr}`, {
      cause: err,
    });
  }
  return { brokers: `127.0.0.1:${port}`, stop };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}
