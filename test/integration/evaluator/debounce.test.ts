import { waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, testEvent, trigger } from './evaluator-harness';

describeIfPostgres('debounce across an evaluator restart', () => {
  const bed = new EvaluatorTestBed('debounce');

  beforeAll(async () => {
    await bed.setUp('debounce');
  });

  afterAll(async () => {
    await bed.stopAll();
    await bed.tearDown();
  });

  const stored = async (count: number) =>
    (
      await bed.store.query(
        "SELECT 1 FROM evaluator_batch_events WHERE trigger_id = 'sync' AND event IS NOT NULL",
      )
    ).length === count;

  it('keeps a pending debounce in the database and fires it once, from the next evaluator', async () => {
    await bed.define(
      trigger('sync', {
        eventTypes: ['com.example.push'],
        // Long enough that the first evaluator is surely gone before it comes due.
        debounce: { period: '10s', key: 'event.data.repo', deliver: 'all' },
        input: { repo: 'event.data.repo', commits: 'batch.map(e, e.data.commit)' },
      }),
    );
    const first = await bed.startEvaluator();
    const push = (repo: string, commit: string) =>
      testEvent('git', { type: 'com.example.push', data: { repo, commit } });
    const pushes = [push('api', 'c1'), push('web', 'w1'), push('api', 'c2')];
    await bed.publish(...pushes);
    await waitFor(() => stored(3), { description: 'the three pushes in the database' });
    await bed.stopEvaluator(first);

    const restartedAt = Date.now();
    await bed.startEvaluator();
    const runs = await bed.waitForRuns('sync', 2);
    const byRepo = Object.fromEntries(
      runs.map((run) => [(run.input as { repo: string }).repo, run]),
    );
    expect(byRepo.api).toMatchObject({
      eventIds: [pushes[0]!.id, pushes[2]!.id],
      input: { repo: 'api', commits: ['c1', 'c2'] },
    });
    expect(byRepo.web).toMatchObject({ eventIds: [pushes[1]!.id], input: { commits: ['w1'] } });
    for (const run of runs) expect(Date.parse(run.requestedAt)).toBeGreaterThanOrEqual(restartedAt);

    // Replayed pushes are recognised, and a new one opens the next debounce of its key.
    const later = push('api', 'c3');
    await bed.publish(pushes[0]!, later);
    const [, , third] = await bed.waitForRuns('sync', 3, 90_000);
    expect(third).toMatchObject({ eventIds: [later.id], input: { commits: ['c3'] } });
    await bed.publish(
      testEvent('git', { type: 'com.example.push', data: { repo: 'x', commit: 'x' } }),
    );
    await bed.waitForRuns('sync', 4, 90_000);
    expect(bed.runsOf('sync')).toHaveLength(4);
  });
});
