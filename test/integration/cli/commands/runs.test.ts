import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunRequest } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import { runRepositories } from '../../../support/runs';
import { newRun } from '../../../../apps/runner/src/claiming/new-run';
import {
  createWebhookTrigger,
  readTopicUntil,
  startApi,
  type TestTopics,
  testTopics,
} from '../../api/api-harness';
import { runFlint } from '../cli-harness';

const sfx = randomUUID().slice(0, 6);
const trigger = `cli-runs-${sfx}`;
const HOLDER = 'cli-runs-test';

function request(n: number): RunRequest {
  const now = new Date().toISOString();
  return {
    runId: `${trigger}.run-${n}`,
    triggerId: trigger,
    triggerVersion: 1,
    owner: 'team-a',
    target: { type: 'local', workflow: 'echo', timeoutMs: 10_000 },
    input: { n },
    eventIds: [`event-${n}`],
    retry: { maxAttempts: 1, backoff: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0 } },
    requestedAt: now,
    acceptedAt: now,
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    provider: 'webhook',
  };
}

describe('flint runs against a running API', () => {
  let api: RunningService;
  let topics: TestTopics;
  const folder = mkdtempSync(join(tmpdir(), 'flint-cli-runs-'));

  const cli = (...args: string[]) => runFlint(args, { apiUrl: api.url, cwd: folder });

  beforeAll(async () => {
    topics = testTopics('cli-runs');
    api = await startApi(topics);
    await createWebhookTrigger(api.url, { owner: 'team-a', source: `${trigger}-hook`, trigger });
    const runs = runRepositories(api.runtime.store);
    const claim = (r: RunRequest) =>
      runs.claims.claim([newRun(r, { topic: 'runs', partition: 0, offset: '1' }, 10_000)], {
        skippedMessages: () => [],
      });
    const failed = request(1);
    await claim(failed);
    await api.runtime.store.query(
      `UPDATE runs SET claimed_by = $2, claim_expires_at = now() + interval '1 minute' WHERE run_id = $1`,
      [failed.runId, HOLDER],
    );
    const attempt = await runs.attempts.startAttempt(failed.runId, HOLDER, { markStarted: true });
    await runs.attempts.finishAttempt(failed.runId, HOLDER, {
      attempt,
      attemptOutcome: 'failed',
      error: { type: 'WorkflowError', message: 'echo refused' },
      run: { status: 'FAILED' },
      logLines: ['starting', 'giving up'],
    });
    await claim(request(2));
    // A remote run cancelled while running: its engine is asked to stop (no runner here to send it).
    const remote: RunRequest = {
      ...request(3),
      runId: `${trigger}-remote.run-3`,
      triggerId: `${trigger}-remote`,
      target: {
        type: 'http',
        url: 'https://ci.example.com/jobs',
        method: 'POST',
        headers: {},
        timeoutMs: 5000,
        cancel: { url: 'https://ci.example.com/jobs/{{runId}}', method: 'DELETE', headers: {} },
      },
    };
    await claim(remote);
    await api.runtime.store.query(
      `UPDATE runs SET claimed_by = $2, claim_expires_at = now() + interval '1 minute' WHERE run_id = $1`,
      [remote.runId, HOLDER],
    );
    const started = await runs.attempts.startAttempt(remote.runId, HOLDER);
    await runs.attempts.finishAttempt(remote.runId, HOLDER, {
      attempt: started,
      attemptOutcome: 'cancelled',
      error: { type: 'CancelledError', message: 'the run was cancelled on request' },
      run: { status: 'CANCELLED' },
      cancellation: {
        runId: remote.runId,
        triggerId: remote.triggerId,
        reason: 'the run was cancelled on request',
        cancelledAt: new Date().toISOString(),
      },
    });
  });

  afterAll(async () => {
    await api.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('lists runs as a table, newest first, filtered by trigger, status and limit', async () => {
    const all = await cli('runs', '--trigger', trigger);
    expect(all.stderr).toEqual([]);
    expect(all.code).toBe(0);
    expect(all.stdout[0]).toMatch(
      /^RUN ID\s+TRIGGER\s+STATUS\s+ATTEMPTS\s+REQUESTED\s+DURATION\s+ERROR$/,
    );
    expect(all.stdout.slice(1).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      [`${trigger}.run-2`, trigger, 'REQUESTED'],
      [`${trigger}.run-1`, trigger, 'FAILED'],
    ]);
    expect(all.stdout[2]).toContain('WorkflowError: echo refused');

    const failed = await cli('runs', '--trigger', trigger, '--status', 'FAILED', '--limit', '5');
    expect(failed.stdout).toHaveLength(2);
    const one = await cli('runs', '--trigger', trigger, '--limit', '1');
    expect(one.stdout).toHaveLength(2);
    expect(one.stdout[1]).toContain('run-2');
  });

  it('shows one run in full', async () => {
    const shown = await cli('runs', `${trigger}.run-1`);
    expect(shown.code).toBe(0);
    const text = shown.stdout.join('\n');
    expect(text).toMatch(/^status\s+FAILED$/m);
    expect(text).toMatch(/^trace\s+4bf92f3577b34da6a3ce929d0e0e4736$/m);
    expect(text).toMatch(/^error\s+WorkflowError: echo refused$/m);
    expect(text).toContain('"n": 1');
    expect(text).toMatch(/^ {2}#1 {2}failed/m);
    expect(text).toContain('log:\n  starting\n  giving up');

    const json = await cli('runs', `${trigger}.run-1`, '-o', 'json');
    expect(JSON.parse(json.stdout.join('\n'))).toMatchObject({ status: 'FAILED', attempts: 1 });
  });

  it('shows the request that asks a cancelled remote run’s engine to stop', async () => {
    const shown = await cli('runs', `${trigger}-remote.run-3`);
    expect(shown.stderr).toEqual([]);
    const text = shown.stdout.join('\n');
    expect(text).toMatch(/^status\s+CANCELLED$/m);
    expect(text).toMatch(/^stop request\s+pending \(0 tries, next \S+\)$/m);
  });

  it('fails clearly on an unknown run, a bad filter, a bad key and an unreachable API', async () => {
    const missing = await cli('runs', 'no-such-trigger.0a1b');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toEqual([
      'runs no-such-trigger.0a1b failed: run no-such-trigger.0a1b not found',
    ]);
    const malformed = await cli('runs', 'no-such-run');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr[0]).toBe('runs no-such-run failed: invalid run id');

    const bad = await cli('runs', '--status', 'DONE');
    expect(bad.code).toBe(1);
    expect(bad.stderr[0]).toBe('runs failed: invalid query');
    expect(bad.stderr[1]).toMatch(/^ {2}status: /);

    const badLimit = await cli('runs', '--limit', 'many');
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr[0]).toContain('--limit must be a whole number');

    const wrongKey = await cli('runs', '--api-key', 'wrong');
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr[0]).toMatch(/^runs failed: /);

    const unreachable = await cli('runs', '--api-url', 'http://127.0.0.1:1');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr[0]).toContain('cannot reach the Flint API');
  });

  it('asks for a run to be cancelled, and says why a finished run cannot be', async () => {
    const asked = await cli('runs', 'cancel', `${trigger}.run-2`);
    expect(asked.stderr).toEqual([]);
    expect(asked.code).toBe(0);
    expect(asked.stdout).toEqual([
      `cancellation of run ${trigger}.run-2 requested (now REQUESTED); the runner ends it CANCELLED`,
    ]);
    const [row] = await api.runtime.store.query<{ cancel_requested_at: Date | null }>(
      'SELECT cancel_requested_at FROM runs WHERE run_id = $1',
      [`${trigger}.run-2`],
    );
    expect(row?.cancel_requested_at).toBeInstanceOf(Date);

    const finished = await cli('runs', 'cancel', `${trigger}.run-1`);
    expect(finished.code).toBe(1);
    expect(finished.stderr[0]).toBe(
      `runs cancel ${trigger}.run-1 failed: run ${trigger}.run-1 already ended FAILED; only a queued or running run can be cancelled`,
    );
    const unknown = await cli('runs', 'cancel', `${trigger}.nothing`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr[0]).toContain('not found');
  });

  it('re-runs a run with its input, or with the input of a JSON file', async () => {
    const same = await cli('runs', 'rerun', `${trigger}.run-1`);
    expect(same.code).toBe(0);
    const sameId = same.stdout[0] as string;
    expect(sameId).toMatch(new RegExp(`^${trigger}\\.rerun-`));
    expect(same.stderr).toEqual([`run ${sameId} requested, re-running ${trigger}.run-1`]);

    writeFileSync(join(folder, 'input.json'), '{"n": 42}');
    const edited = await cli('runs', 'rerun', `${trigger}.run-1`, '--input', 'input.json');
    expect(edited.code).toBe(0);
    const editedId = edited.stdout[0] as string;

    const requests = await readTopicUntil(
      topics.runs,
      (records) => [sameId, editedId].every((id) => records.some((r) => r.key === id)),
      'both re-run requests',
    );
    const byId = new Map(requests.map((record) => [record.key, record.value]));
    expect(byId.get(sameId)).toMatchObject({ rerunOf: `${trigger}.run-1`, input: { n: 1 } });
    expect(byId.get(editedId)).toMatchObject({ rerunOf: `${trigger}.run-1`, input: { n: 42 } });

    writeFileSync(join(folder, 'broken.json'), '{"n": ');
    const broken = await cli('runs', 'rerun', `${trigger}.run-1`, '--input', 'broken.json');
    expect(broken.code).toBe(1);
    expect(broken.stderr[0]).toMatch(/broken\.json is not valid JSON/);
    const missing = await cli('runs', 'rerun', `${trigger}.run-1`, '--input', 'absent.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr[0]).toContain('cannot read absent.json');
  });
});
