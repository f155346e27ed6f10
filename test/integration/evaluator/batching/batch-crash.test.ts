import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { committedOffsets, waitFor } from '../../../support/kafka';
import { describeIfPostgres } from '../../../support/postgres';
import { EvaluatorTestBed, testEvent, trigger, webhookSource } from '../evaluator-harness';

const ROOT = join(__dirname, '..', '..', '..', '..');
const EVALUATOR_PROCESS = join(__dirname, 'fixtures', 'evaluator-process.ts');

/** Starts the evaluator in a child process and resolves once it consumes events. */
function startEvaluatorProcess(
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', EVALUATOR_PROCESS],
    {
      cwd: ROOT,
      env: { ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the evaluator process did not get ready:\n${output}`));
    }, 120_000);
    child.stdout?.on('data', () => {
      if (output.includes('evaluator ready')) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the evaluator process exited with ${code}:\n${output}`));
    });
  });
}

function kill(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (_code, signal) => resolve(signal));
    child.kill('SIGKILL');
  });
}

describeIfPostgres('an evaluator killed with an open batch', () => {
  const bed = new EvaluatorTestBed('batch-crash');

  beforeAll(async () => {
    await bed.setUp('batch_crash');
  });

  afterAll(async () => {
    await bed.tearDown();
  });

  it('emits the batch once, with all its events, after a restart, and closes a batch by its timeout with no event to wake it', async () => {
    await bed.define(
      webhookSource('feed'),
      trigger('collect', {
        sources: ['feed'],
        condition: "event.type == 'com.example.item'",
        batch: { size: 3, timeout: '1h' },
        input: { ids: 'batch.map(e, e.id)' },
      }),
      // Never full: only its timeout, counted from the first event, can close it.
      trigger('collect-by-time', {
        sources: ['feed'],
        condition: "event.type == 'com.example.item'",
        batch: { size: 100, timeout: '60s' },
      }),
      trigger('feed-sentinel', { sources: ['feed'], condition: "event.type == 'sentinel'" }),
    );
    const { child } = await startEvaluatorProcess(bed.env({ FLINT_LOG_LEVEL: 'warn' }));

    const first = testEvent('feed', { type: 'com.example.item' });
    const second = testEvent('feed', { type: 'com.example.item' });
    await bed.publish(first, second, testEvent('feed', { type: 'sentinel' }));
    await bed.waitForRuns('feed-sentinel', 1, 120_000);
    // The two events are stored in their open batch and their offsets are committed: the restarted
    // evaluator will not see them again from Kafka, only from the database.
    await waitFor(
      async () => (await committedOffsets(bed.kafka, bed.groupId, bed.topics.events)).get(0) === 3,
      { description: 'the commit of the first three events', timeoutMs: 60_000 },
    );
    const stored = await bed.store.query<{ trigger_id: string; size: number; status: string }>(
      'SELECT trigger_id, size, status FROM evaluator_batches ORDER BY trigger_id',
    );
    expect(stored).toEqual([
      { trigger_id: 'collect', size: 2, status: 'open' },
      { trigger_id: 'collect-by-time', size: 2, status: 'open' },
    ]);

    expect(await kill(child)).toBe('SIGKILL');
    expect(bed.runsOf('collect')).toEqual([]);
    expect(bed.runsOf('collect-by-time')).toEqual([]);

    // No event reaches the partition now: the restarted evaluator must find the open batch and its
    // deadline by itself, when it is given the partition.
    await bed.startEvaluator();
    const [timed] = await bed.waitForRuns('collect-by-time', 1, 150_000);
    expect(timed).toMatchObject({ eventIds: [first.id, second.id] });

    const third = testEvent('feed', { type: 'com.example.item' });
    await bed.publish(third);
    const [run] = await bed.waitForRuns('collect', 1, 120_000);
    expect(run).toMatchObject({
      eventIds: [first.id, second.id, third.id],
      input: { ids: [first.id, second.id, third.id] },
    });

    // Everything before this sentinel has been evaluated: the batch went out exactly once.
    await bed.publish(testEvent('feed', { type: 'sentinel' }));
    await bed.waitForRuns('feed-sentinel', 2, 60_000);
    expect(bed.runsOf('collect')).toHaveLength(1);
  }, 300_000);
});
