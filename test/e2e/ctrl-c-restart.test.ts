import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@flint/contracts';
import { portVariable } from '@flint/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import { waitFor } from '../support/kafka';

const ROOT = join(__dirname, '..', '..');
const ADMIN_KEY = 'ctrl-c-test-admin-key-0123456789';

/** The one-process local stack as `npm start` runs it, in a process group of its own. */
interface StackProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startStack(env: NodeJS.ProcessEnv): StackProcess {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      join(ROOT, 'apps', 'local-stack', 'src', 'main.ts'),
    ],
    {
      cwd: ROOT,
      env: { ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, like a foreground job in a terminal, so the test can signal the group.
      detached: true,
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The URLs the "Flint is up" banner prints. */
async function whenUp(stack: StackProcess): Promise<{ webhook: string; api: string }> {
  return waitFor(
    () => {
      const text = stack.output();
      const webhook = /curl -X POST (http:\/\/127\.0\.0\.1:\d+)\/hooks\/demo/.exec(text)?.[1];
      const api = /API: +(http:\/\/127\.0\.0\.1:\d+)\/api/.exec(text)?.[1];
      return webhook && api ? { webhook, api } : undefined;
    },
    { timeoutMs: 180_000, description: 'the local stack printing "Flint is up"' },
  );
}

/**
 * Ctrl-C in the terminal that ran `npm start` reaches every process of the foreground group, and
 * `scripts/start.mjs` forwards it to the stack once more. The stack must drain and leave its consumer
 * groups anyway, so that the next start consumes at once instead of waiting out Kafka's session
 * timeout.
 */
describe('end to end: Ctrl-C drains the local stack, and the next start processes at once', () => {
  const run = `${Date.now()}-${process.pid}`;
  const groups = { evaluator: `ctrl-c-evaluator-${run}`, runner: `ctrl-c-runner-${run}` };
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let stack: StackProcess | undefined;
  const kafka = new Kafka({
    brokers: (process.env.KAFKA_BROKERS as string).split(','),
    logLevel: logLevel.NOTHING,
  });

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'flint-ctrl-c-'));
    env = {
      ...process.env,
      ...Object.fromEntries(SERVICE_NAMES.map((s) => [portVariable(s), '0'])),
      FLINT_HOST: '127.0.0.1',
      FLINT_DATA_DIR: dataDir,
      FLINT_ADMIN_API_KEY: ADMIN_KEY,
      FLINT_EVALUATOR_GROUP_ID: groups.evaluator,
      FLINT_RUNNER_GROUP_ID: groups.runner,
      FLINT_TOPIC_EVENTS: `ctrl-c.events.${run}`,
      FLINT_TOPIC_RUNS: `ctrl-c.runs.${run}`,
      FLINT_TOPIC_TRIGGERS: `ctrl-c.triggers.${run}`,
      FLINT_TOPIC_DLQ: `ctrl-c.dlq.${run}`,
    };
    delete env.DATABASE_URL;
  });

  afterAll(async () => {
    if (stack?.child.exitCode === null && stack.child.signalCode === null && stack.child.pid) {
      process.kill(-stack.child.pid, 'SIGKILL');
      await stack.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves the consumer groups on a Ctrl-C delivered twice, and a restart runs the next event', async () => {
    stack = startStack(env);
    await whenUp(stack);
    const pid = stack.child.pid as number;
    process.kill(-pid, 'SIGINT'); // the terminal: the whole foreground process group
    // scripts/start.mjs forwards the same Ctrl-C; it lands while the stack is already draining.
    await waitFor(() => stack?.output().includes('SIGINT received, draining'), {
      description: 'the stack starting to drain',
    });
    process.kill(pid, 'SIGINT');
    const code = await stack.exited;
    expect({ code, output: stack.output().slice(-3000) }).toMatchObject({ code: 0 });

    const admin = kafka.admin();
    await admin.connect();
    try {
      const described = await admin.describeGroups([groups.evaluator, groups.runner]);
      const members = Object.fromEntries(described.groups.map((g) => [g.groupId, g.members]));
      expect(members).toEqual({ [groups.evaluator]: [], [groups.runner]: [] });
    } finally {
      await admin.disconnect();
    }

    stack = startStack(env);
    const { webhook, api } = await whenUp(stack);
    const sent = await fetch(`${webhook}/hooks/demo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hello: 'again' }),
    });
    expect({ status: sent.status, body: await sent.clone().text() }).toMatchObject({ status: 202 });
    const { eventId } = (await sent.json()) as { eventId: string };
    await waitFor(
      async () => {
        const answer = await fetch(`${api}/api/runs?trigger=demo-echo&limit=50`, {
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
        });
        const { items } = (await answer.json()) as {
          items: Array<{ status: string; eventIds: string[] }>;
        };
        return items.some((r) => r.status === 'SUCCEEDED' && r.eventIds.includes(eventId));
      },
      { timeoutMs: 60_000, description: 'the demo run of the event sent after the restart' },
    );
    process.kill(-(stack.child.pid as number), 'SIGINT');
    expect(await stack.exited).toBe(0);
    // Two starts of the whole stack, a drain and a run: about a minute on a quiet machine, past two
    // on a loaded one (seen at a load average of 20).
  }, 300_000);
});
