import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@flint/contracts';
import { type RunningService, portVariable, startService } from '@flint/service-kit';
import { Kafka, logLevel } from 'kafkajs';
import { RunnerWorkflowsRepository } from '@flint/store';
import { ApiModule } from '../../../../apps/api/src/api.module';
import { type CliIo, runCli } from '../../../../apps/cli/src/cli';
import { waitFor } from '../../../support/kafka';

const ADMIN_KEY = 'test-admin-key-0123456789';
const run = `${Date.now()}-${process.pid}`;
const triggersTopic = `test.triggers.${run}`;

let dir: string;

function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), env, cwd: dir };
}

const source = (id: string) => `
kind: source
id: ${id}
owner: cli-test
provider: webhook
config:
  path: ${id}
  auth: { type: none }
`;

const trigger = (id: string, sourceId: string) => `
kind: trigger
id: ${id}
owner: cli-test
sources: [${sourceId}]
target: { type: local, workflow: echo }
`;

describe('flint apply and validate against a running API', () => {
  let api: RunningService;

  beforeAll(async () => {
    const ports = Object.fromEntries(SERVICE_NAMES.map((s) => [portVariable(s), '0']));
    api = await startService('api', (runtime) => ApiModule.forRuntime(runtime), {
      env: {
        ...process.env,
        ...ports,
        FLINT_HOST: '127.0.0.1',
        FLINT_ADMIN_API_KEY: ADMIN_KEY,
        FLINT_TOPIC_TRIGGERS: triggersTopic,
        FLINT_TOPIC_EVENTS: `test.events.${run}`,
        FLINT_TOPIC_RUNS: `test.runs.${run}`,
        FLINT_TOPIC_DLQ: `test.dlq.${run}`,
      },
      handleSignals: false,
      logger: false,
    });
    dir = await mkdtemp(join(tmpdir(), 'flint-cli-'));
  });

  afterAll(async () => {
    await api.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const apply = (paths: string[], key: string | null = ADMIN_KEY) => {
    const io = captureIo({});
    const args = [
      'apply',
      '-f',
      ...paths,
      '--api-url',
      api.url,
      ...(key ? ['--api-key', key] : []),
    ];
    return runCli(args, io).then((code) => ({ code, ...io }));
  };

  it('applies good files, is idempotent, and publishes to the triggers topic', async () => {
    const folder = join(dir, 'good');
    await mkdir(join(folder, 'nested'), { recursive: true });
    await writeFile(join(folder, 'source.yaml'), source(`hooks-${run}`));
    await writeFile(join(folder, 'nested', 'trigger.yml'), trigger(`echo-${run}`, `hooks-${run}`));

    const first = await apply([folder]);
    expect(first.stderr).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.stdout).toEqual(
      expect.arrayContaining([
        `source hooks-${run}: created (version 1)`,
        `trigger echo-${run}: created (version 1)`,
      ]),
    );

    const again = await apply([folder]);
    expect(again.code).toBe(0);
    expect(again.stdout).toEqual(
      expect.arrayContaining([
        `source hooks-${run}: unchanged (version 1)`,
        `trigger echo-${run}: unchanged (version 1)`,
      ]),
    );

    const published = await readTopic(triggersTopic, 2);
    expect(published.get(`source:hooks-${run}`)).toMatchObject({ id: `hooks-${run}`, version: 1 });
    expect(published.get(`trigger:echo-${run}`)).toMatchObject({ id: `echo-${run}`, version: 1 });
  });

  it('shows what changes per definition, and --dry-run applies nothing', async () => {
    const folder = join(dir, 'diff');
    await mkdir(folder, { recursive: true });
    const sourceId = `diff-src-${run}`;
    const triggerId = `diff-${run}`;
    await writeFile(join(folder, 'source.yaml'), source(sourceId));
    await writeFile(join(folder, 'trigger.yaml'), trigger(triggerId, sourceId));
    expect((await apply([folder])).code).toBe(0);

    await writeFile(
      join(folder, 'trigger.yaml'),
      `${trigger(triggerId, sourceId)}condition: event.data.ok == true\ndescription: changed\n`,
    );
    const dryRun = await apply([folder, '--dry-run']);
    expect(dryRun.stderr).toEqual([]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toEqual([
      `source ${sourceId}: unchanged (version 1)`,
      `trigger ${triggerId}: would be updated (from version 1)`,
      '    + condition: "event.data.ok == true"',
      '    + description: "changed"',
      'dry run: nothing was applied',
    ]);
    const stillOld = await fetch(`${api.url}/api/triggers/${triggerId}`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect(await stillOld.json()).toMatchObject({ version: 1 });

    const applied = await apply([folder]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toEqual([
      `source ${sourceId}: unchanged (version 1)`,
      `trigger ${triggerId}: updated (version 2)`,
      '    + condition: "event.data.ok == true"',
      '    + description: "changed"',
    ]);

    await writeFile(join(folder, 'new.yaml'), source(`diff-new-${run}`));
    const withNew = await apply([folder, '--dry-run']);
    expect(withNew.stdout).toContain(`source diff-new-${run}: would be created`);
  });

  it('rejects a whole batch with one bad file, naming the file, the path and the reason', async () => {
    const folder = join(dir, 'bad');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'a-good.yaml'), source(`never-${run}`));
    await writeFile(
      join(folder, 'b-bad.yaml'),
      `kind: source\nid: broken-${run}\nprovider: cron\nconfig:\n  schedule: 'every day'\n`,
    );

    const result = await apply([folder]);
    expect(result.code).toBe(1);
    expect(result.stdout).toEqual([]);
    const errors = result.stderr.join('\n');
    expect(errors).toContain(join(folder, 'b-bad.yaml'));
    expect(errors).toMatch(/config\.schedule: /);
    expect(errors).toContain('nothing was applied');

    const listed = await fetch(`${api.url}/api/definitions?kind=source`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    const { items } = (await listed.json()) as { items: Array<{ id: string }> };
    expect(items.map((i) => i.id)).not.toContain(`never-${run}`);
  });

  it('validate reports problems without needing the API', async () => {
    const file = join(dir, 'unknown-provider.json');
    await writeFile(
      file,
      JSON.stringify({ kind: 'source', id: 'x', provider: 'carrier-pigeon', config: {} }),
    );
    const io = captureIo();
    expect(await runCli(['validate', '-f', file], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/unknown-provider\.json \(document 1\): provider: /);

    const missing = captureIo();
    expect(await runCli(['validate', '-f', join(dir, 'nope')], missing)).toBe(1);
    expect(missing.stderr.join('\n')).toContain('no such file or directory');
  });

  it('refuses to apply without the admin key and says why', async () => {
    const folder = join(dir, 'auth');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 's.yaml'), source(`auth-${run}`));
    const noKey = await apply([folder], null);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr.join('\n')).toContain('missing API key');
    const wrongKey = await apply([folder], 'not-the-key');
    expect(wrongKey.stderr.join('\n')).toContain('invalid API key');
  });

  it('refuses a trigger whose CEL condition does not compile, with the position', async () => {
    const file = join(dir, 'bad-cel.yaml');
    await writeFile(
      file,
      `${source(`cel-src-${run}`)}---\n${trigger(`cel-${run}`, `cel-src-${run}`)}condition: "event.data.x == "\n`,
    );
    const result = await apply([file]);
    expect(result.code).toBe(1);
    const errors = result.stderr.join('\n');
    expect(errors).toMatch(/bad-cel\.yaml \(document 2\): condition: .*line 1, column \d+/);
    expect(errors).toContain('1 problem(s); nothing was applied');
    expect(result.stdout).toEqual([]);
  });

  it('reports a trigger whose source does not exist', async () => {
    const file = join(dir, 'orphan.yaml');
    await writeFile(file, trigger(`orphan-${run}`, `missing-${run}`));
    const result = await apply([file]);
    expect(result.code).toBe(1);
    expect(result.stderr.join('\n')).toContain(
      `orphan.yaml (document 1): sources[0]: source "missing-${run}" is neither in the given files nor stored at ${api.url}`,
    );
  });

  it('validate runs the API’s checks offline: CEL syntax, CEL variables, references', async () => {
    const file = join(dir, 'offline.yaml');
    await writeFile(
      file,
      [
        source(`off-src-${run}`),
        `${trigger(`off-paren-${run}`, `off-src-${run}`)}condition: "event.data.x == 1)"\n`,
        `${trigger(`off-var-${run}`, `off-src-${run}`)}condition: "order.total > 1"\n`,
      ].join('---\n'),
    );
    const io = captureIo();
    expect(await runCli(['validate', '-f', file], io)).toBe(1);
    expect(io.stdout).toEqual([]);
    expect(io.stderr).toEqual([
      expect.stringMatching(
        /offline\.yaml \(document 2\): condition: Unexpected character: .\). \(at line 1, column 18\)/,
      ),
      expect.stringMatching(/offline\.yaml \(document 3\): condition: .*order/),
      '2 problem(s)',
    ]);

    const orphan = join(dir, 'offline-orphan.yaml');
    await writeFile(orphan, trigger(`off-orphan-${run}`, `off-elsewhere-${run}`));
    const alone = captureIo();
    expect(await runCli(['validate', '-f', orphan], alone)).toBe(1);
    expect(alone.stderr[0]).toBe(
      `${orphan} (document 1): sources[0]: source "off-elsewhere-${run}" is not in the given files (add its file, or check the stored sources with --server)`,
    );
    await writeFile(join(dir, 'elsewhere.yaml'), source(`off-elsewhere-${run}`));
    const together = captureIo();
    expect(await runCli(['validate', '-f', orphan, join(dir, 'elsewhere.yaml')], together)).toBe(0);
    expect(together.stdout).toEqual(['2 definition(s) valid']);

    expect((await apply([join(dir, 'elsewhere.yaml')])).code).toBe(0);
    const stored = captureIo();
    const args = [
      'validate',
      '--server',
      '-f',
      orphan,
      '--api-url',
      api.url,
      '--api-key',
      ADMIN_KEY,
    ];
    expect(await runCli(args, stored)).toBe(0);
    expect(stored.stdout).toEqual([`1 definition(s) valid against ${api.url}`]);
  });

  it('refuses a local target naming a workflow no runner announced, in validate --server, apply and the API', async () => {
    const workflows = api.app.get(RunnerWorkflowsRepository);
    const replica = `test-runner-${run}`;
    await workflows.announce(replica, ['echo']);
    try {
      const file = join(dir, 'unknown-workflow.yaml');
      const sourceId = `wf-src-${run}`;
      await writeFile(
        file,
        `${source(sourceId)}---\n${trigger(`wf-${run}`, sourceId).replace('workflow: echo', `workflow: nope-${run}`)}`,
      );
      const offline = captureIo();
      expect(await runCli(['validate', '-f', file], offline)).toBe(0);

      const expected = `unknown-workflow.yaml (document 2): target.workflow: the runner has no local workflow "nope-${run}"`;
      const online = captureIo();
      const serverArgs = ['--server', '--api-url', api.url, '--api-key', ADMIN_KEY];
      expect(await runCli(['validate', '-f', file, ...serverArgs], online)).toBe(1);
      expect(online.stderr[0]).toContain(expected);
      expect(online.stderr[0]).toMatch(/\(it has: .*echo/);

      for (const extra of [['--dry-run'], []]) {
        const refused = await apply([file, ...extra]);
        expect(refused.code).toBe(1);
        expect(refused.stdout).toEqual([]);
        expect(refused.stderr.join('\n')).toContain(expected);
        expect(refused.stderr.at(-1)).toBe('1 problem(s); nothing was applied');
      }

      const direct = await fetch(`${api.url}/api/triggers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          id: `wf-direct-${run}`,
          eventTypes: ['com.example.wf'],
          target: { type: 'local', workflow: `nope-${run}` },
        }),
      });
      expect(direct.status).toBe(400);
      expect(await direct.json()).toMatchObject({
        error: {
          issues: [{ path: 'target.workflow', message: expect.stringContaining(`"nope-${run}"`) }],
        },
      });

      const listed = await fetch(`${api.url}/api/workflows`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      });
      expect(await listed.json()).toMatchObject({
        announced: true,
        items: expect.arrayContaining(['echo']),
      });
    } finally {
      await workflows.withdraw(replica);
    }
  });
});

async function readTopic(topic: string, atLeast: number): Promise<Map<string, unknown>> {
  const kafka = new Kafka({
    brokers: (process.env.KAFKA_BROKERS as string).split(','),
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `reader-${run}-${Math.random()}` });
  const seen = new Map<string, unknown>();
  const admin = kafka.admin();
  await admin.connect();
  await waitFor(async () => (await admin.listTopics()).includes(topic), { timeoutMs: 60000 });
  await admin.disconnect();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.set(String(message.key), message.value ? JSON.parse(String(message.value)) : null);
      },
    });
    await waitFor(() => seen.size >= atLeast, { timeoutMs: 60000 });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
