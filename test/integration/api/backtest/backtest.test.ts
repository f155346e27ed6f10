import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from '../../../support/kafka';
import { runFlint } from '../../cli/cli-harness';
import { call, localTrigger } from '../api-harness';
import { type ArchiveStack, startArchiveStack } from '../events/archive-stack';

const sfx = randomUUID().slice(0, 6);
const owner = `backtest-${sfx}`;
const source = `backtest-hook-${sfx}`;
const trigger = `backtest-main-${sfx}`;
const definition = {
  condition: "event.data.ref == 'refs/heads/main'",
  dedupe: { key: 'event.data.after' },
  input: { commit: 'event.data.after', ref: 'event.data.ref' },
};

interface ShownRun {
  runId: string;
  input: unknown;
}
const byRunId = (runs: ShownRun[]) =>
  runs.map(({ runId, input }) => ({ runId, input })).sort((a, b) => a.runId.localeCompare(b.runId));

/**
 * The live evaluator over events that really came in through a webhook, then the same trigger
 * backtested over the archive: the same runs (ids and inputs), and no side effects.
 */
describe('POST /api/triggers/backtest and flint backtest', () => {
  let stack: ArchiveStack;
  let from: string;
  let to: string;
  let folder: string;
  const http = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(stack.api, method, path, options);
  const runsOf = async () =>
    (await http('GET', `/api/runs?trigger=${trigger}&limit=100`)).body.items as ShownRun[];

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'flint-backtest-'));
    stack = await startArchiveStack();
    await stack.define(owner, source, [{ id: trigger, ...definition }]);
    const posted = [];
    for (const data of [
      { ref: 'refs/heads/main', after: 'a1' },
      { ref: 'refs/heads/dev', after: 'd1' },
      // The same commit again: deduplicated into the first run.
      { ref: 'refs/heads/main', after: 'a1' },
      { ref: 'refs/heads/main', after: 'a2' },
    ]) {
      posted.push(await stack.post(source, data));
    }
    const archived = [];
    for (const id of posted) archived.push(await stack.archived(id));
    from = archived[0].acceptedAt;
    await waitFor(async () => (await runsOf()).length === 2, {
      timeoutMs: 60_000,
      description: 'the live evaluator to start both runs',
    });
    to = new Date(Date.now() + 1000).toISOString();
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('backtests a saved trigger to exactly the runs the live evaluator started', async () => {
    const result = await http('POST', '/api/triggers/backtest', {
      body: { triggerId: trigger, from, to },
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      triggerId: trigger,
      events: 4,
      runs: 2,
      decisions: { matched: 2, condition_false: 1, deduplicated: 1 },
      actual: { runs: 2, onlyBacktest: [], onlyActual: [] },
    });
    // The runs the live evaluator started, in full (the listing leaves the input out).
    const live = await Promise.all(
      (await runsOf()).map(async ({ runId }) => (await http('GET', `/api/runs/${runId}`)).body),
    );
    expect(byRunId(result.body.shown)).toEqual(byRunId(live));
    expect(byRunId(result.body.actual.shown)).toEqual(byRunId(live));
    expect(result.body.shown.map((run: ShownRun) => run.input)).toEqual([
      { commit: 'a1', ref: 'refs/heads/main' },
      { commit: 'a2', ref: 'refs/heads/main' },
    ]);
    // No side effects: nothing was started.
    expect(await runsOf()).toHaveLength(2);
  });

  it('backtests a draft, and the CLI shows the same from a file', async () => {
    const draft = localTrigger(trigger, [source], { owner, input: definition.input });
    const result = await http('POST', '/api/triggers/backtest', {
      body: { trigger: draft, from, to, limit: 1 },
    });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ runs: 4, decisions: { matched: 4 } });
    expect(result.body.shown).toHaveLength(1);
    expect(result.body).not.toHaveProperty('actual');

    const file = join(folder, 'draft.yaml');
    await writeFile(file, stringify(draft));
    const cli = await runFlint(['backtest', '-f', file, '--from', from, '--to', to, '-o', 'json'], {
      apiUrl: stack.api,
    });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout.join('\n'))).toMatchObject({ runs: 4, decisions: { matched: 4 } });
    const saved = await runFlint(['backtest', trigger, '--from', from, '--to', to], {
      apiUrl: stack.api,
    });
    expect(saved.code).toBe(0);
    expect(saved.stdout[0]).toContain('2 run(s) would have started');
    expect(saved.stdout).toContain('actually started in the range: 2 run(s)');
    expect(await runsOf()).toHaveLength(2);
  });

  it('answers 400 for a reversed range, an unknown trigger, an invalid draft', async () => {
    const reversed = await http('POST', '/api/triggers/backtest', {
      body: { triggerId: trigger, from: to, to: from },
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.issues).toEqual([{ path: 'to', message: 'must be after `from`' }]);

    const unknown = await http('POST', '/api/triggers/backtest', {
      body: { triggerId: `nope-${sfx}`, from, to },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toBe(`trigger nope-${sfx} not found`);

    const invalid = await http('POST', '/api/triggers/backtest', {
      body: {
        trigger: localTrigger(trigger, [source], { owner, condition: 'event.data.ref ==' }),
        from,
        to,
      },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.issues.map((i: { path: string }) => i.path)).toContain(
      'trigger.condition',
    );

    const neither = await http('POST', '/api/triggers/backtest', { body: { from, to } });
    expect(neither.status).toBe(400);
    const cli = await runFlint(['backtest', '--from', from], { apiUrl: stack.api });
    expect(cli.code).not.toBe(0);
    expect(cli.stderr.join('\n')).toContain('name a stored trigger id or a file with -f');
  });
});
