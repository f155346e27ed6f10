import { CelEngine } from '@flint/conditions';
import type { CloudEvent, RunRequest, StoredTrigger } from '@flint/contracts';
import { EventArchiveRepository } from '@flint/store';
import { TriggerBacktest } from '../../../apps/api/src/backtest/trigger-backtest';
import { waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, testEvent, trigger } from './evaluator-harness';

/**
 * The live evaluator (Kafka, PostgreSQL, its archive on) over a stream of events, then the same
 * trigger backtested over what it archived, for the mechanisms whose state outlives an event:
 * compounds, absence, rate limits and debounce. The would-be runs must be the live runs exactly:
 * the same run ids, causing events and inputs.
 */
describeIfPostgres('backtest against the live evaluator', () => {
  const bed = new EvaluatorTestBed('backtest-equality');
  let engine: CelEngine;
  const stored = new Map<string, StoredTrigger>();

  beforeAll(async () => {
    engine = await CelEngine.create();
    await bed.setUp('backtest_equality');
    const definitions = await bed.define(
      trigger('paid-and-packed', {
        eventTypes: ['bt.paid', 'bt.packed'],
        logic: 'all',
        within: '1h',
        correlate: 'event.data.order',
        input: { order: 'event.data.order', paid: "events['bt.paid'].data.n" },
      }),
      trigger('built-then-tested', {
        eventTypes: ['bt.built', 'bt.tested'],
        logic: 'sequence',
        within: '1h',
        correlate: 'event.data.build',
        input: { build: 'event.data.build' },
      }),
      trigger('two-of-three', {
        eventTypes: ['bt.a', 'bt.b', 'bt.c'],
        logic: { atLeast: 2 },
        within: '1h',
        correlate: 'event.data.key',
        input: { key: 'event.data.key' },
      }),
      trigger('unshipped', {
        eventTypes: ['bt.order.paid', 'bt.order.shipped'],
        expect: {
          after: 'bt.order.paid',
          missing: 'bt.order.shipped',
          within: '2s',
          key: 'event.data.order',
        },
        input: { order: 'event.data.order' },
      }),
      trigger('limited', {
        eventTypes: ['bt.deploy'],
        rateLimit: { limit: 2, period: '1h' },
        input: { n: 'event.data.n' },
      }),
      trigger('held', {
        eventTypes: ['bt.sync'],
        rateLimit: { limit: 1, period: '2s', onExceed: 'delay' },
        input: { n: 'event.data.n' },
      }),
      trigger('quiet', {
        eventTypes: ['bt.push'],
        debounce: { period: '1s', key: 'event.data.repo', deliver: 'all' },
        input: { repo: 'event.data.repo', commits: 'batch.map(e, e.data.commit)' },
      }),
    );
    for (const definition of definitions) {
      if (definition.kind === 'trigger') stored.set(definition.id, definition);
    }
    await bed.startEvaluator();
  });

  afterAll(async () => {
    await bed.stopAll();
    await bed.tearDown();
  });

  /**
   * Events of `type` with `data`, accepted one millisecond apart from now on: the archive orders
   * events by acceptance time, as the live evaluator met them.
   */
  const stream = (...events: [type: string, data: Record<string, unknown>][]): CloudEvent[] => {
    const base = Date.now();
    return events.map(([type, data], i) =>
      testEvent('bt', { type, data, flintacceptedat: new Date(base + i).toISOString() }),
    );
  };

  const archivedAll = (events: readonly CloudEvent[]) =>
    waitFor(
      async () => {
        const rows = await bed.store.query(
          'SELECT 1 FROM event_archive WHERE event_id = ANY ($1::text[])',
          [events.map((event) => event.id)],
        );
        return rows.length === events.length;
      },
      { description: `${events.length} event(s) in the archive` },
    );

  const shape = (runs: { runId: string; eventIds: string[]; input?: unknown }[]) =>
    runs
      .map(({ runId, eventIds, input }) => ({ runId, eventIds, input }))
      .sort((a, b) => a.runId.localeCompare(b.runId));

  /**
   * Publishes `events` to the live evaluator, waits for its `runs` run requests of `triggerId` and
   * for every event to be archived (so it decided them all), then backtests the trigger over the
   * range: the would-be runs are the live ones.
   */
  const liveThenBacktest = async (
    triggerId: string,
    events: CloudEvent[],
    runs: number,
  ): Promise<RunRequest[]> => {
    await bed.publish(...events);
    const live = await bed.waitForRuns(triggerId, runs, 90_000);
    await archivedAll(events);
    const backtest = new TriggerBacktest(
      engine,
      new EventArchiveRepository(bed.store),
      { history: async () => ({ runs: [] }) },
      // A draft never asks for a saved definition.
      undefined as never,
      { validateDraft: async () => stored.get(triggerId)!, sourcesOf: async () => new Map() },
    );
    const result = await backtest.run(
      { keyId: 'test', role: 'admin' },
      {
        trigger: stored.get(triggerId)!,
        from: events[0]!.flintacceptedat,
        // Past the live runs, so the timers due before them (waits, debounces, delays) fire too.
        to: new Date(Date.now() + 1000).toISOString(),
        limit: 1000,
      },
    );
    expect(result.runs).toBe(bed.runsOf(triggerId).length);
    expect(shape(result.shown)).toEqual(shape(bed.runsOf(triggerId)));
    return live;
  };

  it('an all compound: one run per order once both members came', async () => {
    const live = await liveThenBacktest(
      'paid-and-packed',
      stream(
        ['bt.paid', { order: 'o1', n: 1 }],
        ['bt.packed', { order: 'o2', n: 2 }],
        ['bt.packed', { order: 'o1', n: 3 }],
        ['bt.paid', { order: 'o3', n: 4 }],
        ['bt.paid', { order: 'o2', n: 5 }],
      ),
      2,
    );
    expect(live.map((run) => run.input)).toEqual([
      { order: 'o1', paid: 1 },
      { order: 'o2', paid: 5 },
    ]);
  });

  it('a sequence: a member out of order does not count', async () => {
    const live = await liveThenBacktest(
      'built-then-tested',
      stream(
        ['bt.tested', { build: 'b1' }],
        ['bt.built', { build: 'b1' }],
        ['bt.built', { build: 'b2' }],
        ['bt.tested', { build: 'b1' }],
      ),
      1,
    );
    expect(live[0]?.eventIds).toHaveLength(2);
  });

  it('at least two of three members', async () => {
    await liveThenBacktest(
      'two-of-three',
      stream(
        ['bt.a', { key: 'k1' }],
        ['bt.b', { key: 'k2' }],
        ['bt.c', { key: 'k1' }],
        ['bt.a', { key: 'k3' }],
        ['bt.a', { key: 'k2' }],
      ),
      2,
    );
  });

  it('absence: a paid order not shipped within the wait runs, a shipped one does not', async () => {
    const live = await liveThenBacktest(
      'unshipped',
      stream(
        ['bt.order.paid', { order: 'o1' }],
        ['bt.order.paid', { order: 'o2' }],
        ['bt.order.shipped', { order: 'o1' }],
      ),
      1,
    );
    expect(live[0]?.input).toEqual({ order: 'o2' });
  });

  it('a rate limit that drops: the first two runs of the period', async () => {
    const live = await liveThenBacktest(
      'limited',
      stream(
        ['bt.deploy', { n: 1 }],
        ['bt.deploy', { n: 2 }],
        ['bt.deploy', { n: 3 }],
        ['bt.deploy', { n: 4 }],
      ),
      2,
    );
    expect(live.map((run) => run.input)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('a rate limit that delays: every run, in later slots', async () => {
    const live = await liveThenBacktest(
      'held',
      stream(['bt.sync', { n: 1 }], ['bt.sync', { n: 2 }], ['bt.sync', { n: 3 }]),
      3,
    );
    expect(live.map((run) => run.input)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('a debounce: one run per key once it was quiet, with all its events', async () => {
    const live = await liveThenBacktest(
      'quiet',
      stream(
        ['bt.push', { repo: 'api', commit: 'c1' }],
        ['bt.push', { repo: 'web', commit: 'w1' }],
        ['bt.push', { repo: 'api', commit: 'c2' }],
      ),
      2,
    );
    expect(live.map((run) => run.input)).toEqual(
      expect.arrayContaining([
        { repo: 'api', commits: ['c1', 'c2'] },
        { repo: 'web', commits: ['w1'] },
      ]),
    );
  });
});
