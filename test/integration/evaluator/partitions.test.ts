import { waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, testEvent, trigger } from './evaluator-harness';

const ORDERS = 20;
const SOURCES = 8;

/**
 * Evaluators reading several partitions: events keyed by different sources land on different
 * partitions, and a dedupe key they share must still give one run per key, whichever evaluator or
 * pass meets it first. Two windows opened at once used to give two run ids (40 runs for 20 keys):
 * the second insert met the first's row but its statement could not read it.
 */
describeIfPostgres('evaluators on several partitions', () => {
  const bed = new EvaluatorTestBed('partitions');
  bed.partitions = 4;
  let published = 0;

  beforeAll(async () => {
    await bed.setUp('partitions');
  });

  afterAll(async () => {
    await bed.stopAll();
    await bed.tearDown();
  });

  /** Sends every order from every source, waits until all were evaluated; the run ids per order. */
  async function runIdsOf(triggerId: string, type: string): Promise<Set<string>> {
    const events = Array.from({ length: ORDERS * SOURCES }, (_, n) =>
      testEvent(`till-${n % SOURCES}`, {
        type,
        data: { order: `${triggerId}-${Math.floor(n / SOURCES)}` },
      }),
    );
    await bed.publish(...events);
    published += events.length;
    const admin = bed.kafka.admin();
    await admin.connect();
    try {
      const partitions = await admin.fetchTopicOffsets(bed.topics.events);
      // The sources' events are spread over more than one partition, or this proves nothing.
      expect(partitions.filter((p) => Number(p.high) > 0).length).toBeGreaterThan(1);
      await waitFor(
        async () => {
          const [offsets] = await admin.fetchOffsets({
            groupId: bed.groupId,
            topics: [bed.topics.events],
          });
          const committed = (offsets?.partitions ?? []).reduce(
            (sum, p) => sum + Math.max(0, Number(p.offset)),
            0,
          );
          return committed >= published;
        },
        { timeoutMs: 120_000, description: 'the evaluators to commit every event' },
      );
      // Every run request produced before those commits has been collected.
      await waitFor(
        async () => {
          const ends = await admin.fetchTopicOffsets(bed.topics.runs);
          const produced = ends.reduce((sum, p) => sum + Number(p.high), 0);
          return produced > 0 && bed.runs.length >= produced;
        },
        { timeoutMs: 60_000, description: 'every run request to be collected' },
      );
    } finally {
      await admin.disconnect();
    }
    // A run id sent twice is one run (the runner claims it once); a second id would be a second run.
    return new Set(bed.runsOf(triggerId).map((run) => run.runId));
  }

  it('starts one run per dedupe key arriving on every partition of one evaluator', async () => {
    await bed.define(
      trigger('one-evaluator', {
        eventTypes: ['com.example.order'],
        dedupe: { key: 'event.data.order', window: '1h' },
      }),
    );
    await bed.startEvaluator();
    expect((await runIdsOf('one-evaluator', 'com.example.order')).size).toBe(ORDERS);
  });

  it('starts one run per dedupe key across two evaluator replicas sharing the partitions', async () => {
    await bed.define(
      trigger('two-evaluators', {
        eventTypes: ['com.example.order.two'],
        dedupe: { key: 'event.data.order', window: '1h' },
      }),
    );
    await bed.startEvaluator();
    expect((await runIdsOf('two-evaluators', 'com.example.order.two')).size).toBe(ORDERS);
  });
});
