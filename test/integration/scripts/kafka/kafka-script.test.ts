import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, waitFor } from '../../../support/kafka';

const ROOT = join(__dirname, '..', '..', '..', '..');
const KAFKA_SCRIPT = join(ROOT, 'scripts', 'kafka', 'kafka.sh');
const run = promisify(execFile);

/** Alive and not a zombie: a killed broker whose parent has not reaped it yet is gone for good. */
function alive(pid: number): boolean {
  const state = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return state.status === 0 && state.stdout.trim() !== '' && !state.stdout.trim().startsWith('Z');
}

/** Pids of the brokers whose command line names this data dir. */
function brokersOf(dataDir: string): number[] {
  const ps = spawnSync('ps', ['-ww', '-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .filter((line) => line.includes('kafka.Kafka') && line.includes(`${dataDir}/server.properties`))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter(alive);
}

/**
 * `scripts/kafka/kafka.sh` after its broker was killed with SIGKILL: the pid file it left behind names
 * a dead process. `start` must start a new broker, say so, and record the new broker's pid, so that
 * `stop` stops it instead of leaving it orphaned.
 */
describe('kafka.sh start after the broker was killed', () => {
  const dataDir = join(ROOT, '.flint', `test-kafka-script-${process.pid}`);
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const [port, controllerPort] = await freePorts(2);
    env = {
      ...process.env,
      FLINT_KAFKA_DATA_DIR: dataDir,
      FLINT_KAFKA_PORT: String(port),
      FLINT_KAFKA_CONTROLLER_PORT: String(controllerPort),
    };
    delete env.KAFKA_BROKERS;
  });

  afterAll(async () => {
    await run('bash', [KAFKA_SCRIPT, 'stop'], { env }).catch(() => undefined);
    for (const pid of brokersOf(dataDir)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pidFile = () => Number(readFileSync(join(dataDir, 'kafka.pid'), 'utf8').trim());

  it('starts a new broker, records its pid, and stop stops it', async () => {
    await run('bash', [KAFKA_SCRIPT, 'start'], { env });
    const killed = pidFile();
    expect(brokersOf(dataDir)).toEqual([killed]);

    process.kill(killed, 'SIGKILL');
    await waitFor(() => !alive(killed), { description: `broker ${killed} to die` });

    const restart = await run('bash', [KAFKA_SCRIPT, 'start'], { env });
    expect(restart.stdout).toMatch(/ready at 127\.0\.0\.1:\d+ \(pid \d+/);
    const restarted = pidFile();
    expect(restarted).not.toBe(killed);
    expect(brokersOf(dataDir)).toEqual([restarted]);
    const status = await run('bash', [KAFKA_SCRIPT, 'status'], { env });
    expect(status.stdout).toContain(`(pid ${restarted})`);

    await run('bash', [KAFKA_SCRIPT, 'stop'], { env });
    expect(alive(restarted)).toBe(false);
    expect(brokersOf(dataDir)).toEqual([]);
  });

  it('stop also finds a broker from its data dir whose pid file was lost', async () => {
    await run('bash', [KAFKA_SCRIPT, 'start'], { env });
    const broker = pidFile();
    rmSync(join(dataDir, 'kafka.pid'));

    const status = await run('bash', [KAFKA_SCRIPT, 'status'], { env });
    expect(status.stdout).toContain(`(pid ${broker})`);
    await run('bash', [KAFKA_SCRIPT, 'stop'], { env });
    expect(alive(broker)).toBe(false);
    expect(brokersOf(dataDir)).toEqual([]);
  });
});
