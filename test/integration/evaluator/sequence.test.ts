import { waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, testEvent, trigger } from './evaluator-harness';

describeIfPostgres('sequences across an evaluator restart', () => {
  const bed = new EvaluatorTestBed('sequence');

  beforeAll(async () => {
    await bed.setUp('sequence');
  });

  afterAll(async () => {
    await bed.stopAll();
    await bed.tearDown();
  });

  const step = (type: string, build: string) =>
    testEvent('ci', { type, flintprovider: 'api', data: { build } });

  it('remembers the steps seen so far, ignores one out of order, and completes once', async () => {
    await bed.define(
      trigger('released', {
        eventTypes: ['ci.built', 'ci.tested', 'ci.approved'],
        logic: 'sequence',
        within: '1h',
        correlate: 'event.data.build',
      }),
    );
    const first = await bed.startEvaluator();
    const built = step('ci.built', 'b-1');
    await bed.publish(built, step('ci.approved', 'b-1'));
    await waitFor(
      async () =>
        (
          await bed.store.query(
            `SELECT 1 FROM evaluator_compound_events e JOIN evaluator_compound_matches m ON m.id = e.match_id
             WHERE m.trigger_id = 'released' AND m.status = 'open'`,
          )
        ).length === 1,
      { description: 'the first step of the sequence in the database' },
    );
    await bed.stopEvaluator(first);
    await bed.startEvaluator();
    const tested = step('ci.tested', 'b-1');
    const approved = step('ci.approved', 'b-1');
    await bed.publish(tested, approved, step('ci.tested', 'b-2'));
    const [run] = await bed.waitForRuns('released', 1);
    expect(run!.eventIds).toEqual([built.id, tested.id, approved.id]);
    await bed.publish(
      step('ci.built', 'b-2'),
      step('ci.tested', 'b-2'),
      step('ci.approved', 'b-2'),
    );
    await bed.waitForRuns('released', 2);
    expect(bed.runsOf('released')).toHaveLength(2);
  });
});
