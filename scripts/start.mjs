// README command 1: the whole system on its embedded defaults. Plain Node with no dependencies, because
// it runs on a fresh clone before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const env = { ...process.env };

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    console.error(
      `flint: "${command} ${args.join(' ')}" failed (exit ${result.status ?? result.signal})`,
    );
    process.exit(1);
  }
}

function dependenciesMissing() {
  const marker = `${root}node_modules/.package-lock.json`;
  return (
    !existsSync(marker) || statSync(`${root}package-lock.json`).mtimeMs > statSync(marker).mtimeMs
  );
}

if (dependenciesMissing()) run('npm', ['ci', '--no-audit', '--no-fund']);
run('npm', ['run', '--silent', 'build']);

const ownBroker = !env.KAFKA_BROKERS;
if (ownBroker) {
  run('bash', ['scripts/kafka/kafka.sh', 'fetch']);
  run('bash', ['scripts/kafka/kafka.sh', 'start']);
  env.KAFKA_BROKERS = `127.0.0.1:${env.FLINT_KAFKA_PORT ?? '9092'}`;
}

const stack = spawn(process.execPath, ['dist/apps/local-stack/src/main.js'], {
  cwd: root,
  stdio: 'inherit',
  env,
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  if (stack.exitCode === null) stack.kill(signal);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));

stack.on('exit', (code) => {
  if (ownBroker)
    spawnSync('bash', ['scripts/kafka/kafka.sh', 'stop'], { cwd: root, stdio: 'inherit', env });
  process.exit(stopping ? 0 : (code ?? 1));
});
