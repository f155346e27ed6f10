// README command 1: the whole system on its embedded defaults. Plain Node with no dependencies, because
// it runs on a fresh clone before anything is installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { REQUIRED_NODE_MAJOR, projectNode, withProjectPath } from './project-node.mjs';

const root = new URL('..', import.meta.url).pathname;
// node_modules/.bin first on PATH, so the build, the Kafka script's probe and everything npm runs
// use the project's Node 24 even when this script was started by an older system Node.
const env = withProjectPath(process.env, root);

/** One short line per step of a start, so a first start (minutes) says what it is waiting for. */
function step(message) {
  console.log(`flint: ${message}`);
}

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

function kafkaVersion() {
  return env.FLINT_KAFKA_VERSION ?? readFileSync(`${root}scripts/kafka/VERSION`, 'utf8').trim();
}

/** Whether scripts/kafka/kafka.sh has the broker's jars already (its marker file). */
function kafkaFetched() {
  return existsSync(`${root}.cache/kafka/${kafkaVersion()}/libs/.fetched`);
}

if (dependenciesMissing()) {
  step('installing dependencies (npm ci; the first start only, a few minutes)…');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}

// The build and the stack run on the project's Node (installed by `npm ci` above), not on the Node
// that started this script, which on a fresh clone may be the system's older one.
const node = projectNode(root);
const nodeVersion = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout;
const nodeMajor = Number((nodeVersion ?? '').split('.')[0]);
if (nodeMajor < REQUIRED_NODE_MAJOR) {
  console.error(
    `flint: Node ${REQUIRED_NODE_MAJOR} is needed, and ${node} is older; "npm ci" installs it into node_modules/.bin/node`,
  );
  process.exit(1);
}

step('building…');
run('npm', ['run', '--silent', 'build']);

const ownBroker = !env.KAFKA_BROKERS;
if (ownBroker) {
  if (!kafkaFetched()) {
    step(
      `fetching Kafka ${kafkaVersion()} from Maven Central (the first start only, about 45 MB)…`,
    );
  }
  run('bash', ['scripts/kafka/kafka.sh', 'fetch']);
  step('starting the Kafka broker…');
  run('bash', ['scripts/kafka/kafka.sh', 'start']);
  env.KAFKA_BROKERS = `127.0.0.1:${env.FLINT_KAFKA_PORT ?? '9092'}`;
}

step('starting the services…');

// How `npm start` runs the local stack; the benchmark (bench/scenarios/local-stack-memory.ts) runs it
// the same way. --liftoff-only: the embedded database (PGlite) is a 9 MB WebAssembly module, and V8's
// optimising tier compiles it again into about 100 MB more, held for good, which a laptop's idle
// stack does not need (the baseline code starts twice as fast). --disable-warning: kafkajs 2.2 arms a
// timer with a negative delay on Node 24, which Node runs at once, as kafkajs means, but reports at
// every start.
const launch = JSON.parse(readFileSync(`${root}scripts/local-stack.json`, 'utf8'));
const stack = spawn(node, [...launch.nodeArgs, launch.main], { cwd: root, stdio: 'inherit', env });

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
