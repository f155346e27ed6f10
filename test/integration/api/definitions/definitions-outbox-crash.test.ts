import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PostgresStore } from '@flint/store';
import type { RunningService } from '@flint/service-kit';
import { waitFor } from '../../../support/kafka';
import {
  createScratchDatabase,
  describeIfPostgres,
  type ScratchDatabase,
} from '../../../support/postgres';
import {
  apiEnv,
  call,
  closedPort,
  readTopicUntil,
  startApi,
  testTopics,
  webhookSource,
} from '../api-harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const FIXTURE = join(__dirname, 'fixtures', 'definitions-api-process.ts');

/**
 * The outbox guarantee under a real crash: an API process commits a change but cannot publish it
 * (its broker address leads nowhere), and is then killed with SIGKILL. A fresh API on the same
 * database publishes the committed change, so the topic ends up agreeing with the database. The
 * database is one of its own: the stranded API's outbox relay holds the relay lock while it fails to
 * publish, which would hold up the relays of test files running beside it on the run's database.
 */
describeIfPostgres('definition changes after a crash between commit and publish', () => {
  const topics = testTopics('definitions-crash');
  const sourceId = `crash-${Math.random().toString(36).slice(2, 8)}`;
  let child: ChildProcess | undefined;
  let api: RunningService | undefined;
  let database: ScratchDatabase;
  let store: PostgresStore;

  beforeAll(async () => {
    database = await createScratchDatabase('outbox_crash');
    store = new PostgresStore({ url: database.url, poolMax: 1 });
  });

  afterAll(async () => {
    child?.kill('SIGKILL');
    await api?.stop();
    await store?.close();
    await database?.drop();
  });

  it('are published by the next API that starts', async () => {
    const deadBroker = `127.0.0.1:${await closedPort()}`;
    const started = startChild(
      apiEnv(topics, { DATABASE_URL: database.url, KAFKA_BROKERS: deadBroker }),
    );
    child = started.child;
    const url = await started.url;

    const created = await call(url, 'POST', '/api/sources', { body: webhookSource(sourceId) });
    expect(created.status).toBe(201);
    const disabled = await call(url, 'POST', `/api/sources/${sourceId}/disable`);
    expect(disabled.body).toMatchObject({ version: 2, enabled: false });

    // Committed, and still unpublished: the process has had no broker to publish to.
    const pending = await store.query<{ version: number; published_at: Date | null }>(
      `SELECT (value->>'version')::int AS version, published_at FROM outbox
        WHERE topic = $1 AND key = $2 ORDER BY id`,
      [topics.triggers, `source:${sourceId}`],
    );
    expect(pending).toEqual([
      { version: 1, published_at: null },
      { version: 2, published_at: null },
    ]);

    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    child = undefined;

    api = await startApi(topics, { DATABASE_URL: database.url });
    const records = await readTopicUntil(
      topics.triggers,
      (read) => read.some((r) => r.key === `source:${sourceId}` && r.value?.version === 2),
      `version 2 of source:${sourceId} on ${topics.triggers}`,
    );
    const mine = records.filter((r) => r.key === `source:${sourceId}`);
    expect(mine.map((r) => r.value?.version)).toEqual([1, 2]);
    expect(mine[1]?.value).toMatchObject({ id: sourceId, enabled: false });
    await waitFor(
      async () => {
        const rows = await store.query<{ unpublished: number }>(
          `SELECT count(*)::int AS unpublished FROM outbox
            WHERE topic = $1 AND published_at IS NULL`,
          [topics.triggers],
        );
        return rows[0]?.unpublished === 0;
      },
      { description: 'the outbox rows to be marked published' },
    );
  });
});

function startChild(env: NodeJS.ProcessEnv): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', FIXTURE],
    {
      cwd: ROOT,
      env: { ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the API process did not start:\n${output}`)),
      90_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the API process exited (${code ?? signal}):\n${output}`));
    });
  });
  return { child, url };
}
