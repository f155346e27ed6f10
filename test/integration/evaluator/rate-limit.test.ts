import { waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, testEvent, trigger } from './evaluator-harness';

describeIfPostgres('rate limits across an evaluator restart', () => {
  const bed = new EvaluatorTestBed('rate-limit');

  beforeAll(async () => {
    await bed.setUp('rate_limit');
  });

  afterEach(async () => {
    await bed.stopAll();
  });

  afterAll(async () => {
    await bed.tearDown();
  });

  const event = (type: string, n: number) => testEvent('git', { type, data: { n } });

  it('still counts the runs of the period after a restart, and drops beyond the limit', async () => {
    await bed.define(
      trigger('deploy', {
        eventTypes: ['com.example.deploy'],
        rateLimit: { limit: 2, period: '1h' },
      }),
      trigger('sentinel', { eventTypes: ['com.example.sentinel'] }),
    );
    const first = await bed.startEvaluator();
    const before = [
      event('com.example.deploy', 1),
      event('com.example.deploy', 2),
      event('com.example.deploy', 3),
    ];
    await bed.publish(...before, event('com.example.sentinel', 1));
    await bed.waitForRuns('sentinel', 1);
    expect(bed.runsOf('deploy').map((run) => run.eventIds[0])).toEqual([
      before[0]!.id,
      before[1]!.id,
    ]);
    await bed.stopEvaluator(first);

    await bed.startEvaluator();
    await bed.publish(event('com.example.deploy', 4), event('com.example.sentinel', 2));
    await bed.waitForRuns('sentinel', 2);
    expect(bed.runsOf('deploy')).toHaveLength(2);
  });

  it('sends delayed runs in their slots, from the next evaluator, each once', async () => {
    await bed.define(
      trigger('sync', {
        eventTypes: ['com.example.sync'],
        rateLimit: { limit: 1, period: '10s', onExceed: 'delay' },
      }),
    );
    const first = await bed.startEvaluator();
    const syncs = [1, 2, 3].map((n) => event('com.example.sync', n));
    await bed.publish(...syncs);
    // One slot per period, the later two reserved for the delayed runs.
    const slots = await waitFor(
      async () => {
        const delayed = await bed.store.query(
          "SELECT 1 FROM evaluator_delayed_runs WHERE trigger_id = 'sync'",
        );
        if (delayed.length < 2) return undefined;
        return bed.store.query<{ slot_at: Date }>(
          "SELECT slot_at FROM evaluator_rate_limit_slots WHERE trigger_id = 'sync' ORDER BY slot_at",
        );
      },
      { description: 'two delayed runs in the database' },
    );
    const times = slots.map((slot) => new Date(slot.slot_at).getTime());
    expect([times[1]! - times[0]!, times[2]! - times[1]!]).toEqual([10_000, 10_000]);
    await bed.stopEvaluator(first);
    await bed.startEvaluator();
    const runs = await bed.waitForRuns('sync', 3, 90_000);
    expect(runs.map((run) => run.eventIds[0])).toEqual(syncs.map((e) => e.id));
    await waitFor(
      async () =>
        (await bed.store.query("SELECT 1 FROM evaluator_delayed_runs WHERE trigger_id = 'sync'"))
          .length === 0,
      { description: 'the delayed runs forgotten once sent' },
    );
    expect(bed.runsOf('sync')).toHaveLength(3);
  });
});
