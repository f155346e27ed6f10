import { CelEngine } from '@flint/conditions';
import { type CloudEvent, type InlineSource, runIdForKey } from '@flint/contracts';
import { storedTrigger, webhookEvent } from '../testing/triggers';
import { Backtester } from './backtester';

const START = Date.parse('2026-01-02T03:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('Backtester', () => {
  let engine: CelEngine;

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  const backtest = async (
    fields: Record<string, unknown>,
    events: CloudEvent[],
    { to = START + 24 * HOUR, shown = 100, fromFlint = true } = {},
  ) => {
    const backtester = new Backtester({
      engine,
      trigger: storedTrigger(fields),
      sources: new Map<string, InlineSource>(),
      from: START,
      shown,
    });
    await backtester.feed(events.map((event) => ({ event, fromFlint })));
    return backtester.finish(to);
  };
  const push = (ref: string, at: number) => webhookEvent({ data: { ref } }, at);

  it('counts the runs a condition lets through, when they would start, and why others dropped', async () => {
    const events = [
      push('refs/heads/main', START),
      push('refs/heads/dev', START + MINUTE),
      push('refs/heads/main', START + 2 * MINUTE),
    ];
    const result = await backtest(
      {
        id: 'main-pushes',
        eventTypes: ['com.github.push'],
        condition: 'event.data.ref == "refs/heads/main"',
        input: { ref: 'event.data.ref' },
      },
      events,
    );
    expect(result.events).toBe(3);
    expect(result.runs).toBe(2);
    expect(result.decisions).toEqual({ matched: 2, condition_false: 1 });
    expect(result.shown).toEqual([
      {
        runId: runIdForKey('main-pushes', events[0]!.id, START),
        requestedAt: new Date(START).toISOString(),
        eventIds: [events[0]!.id],
        input: { ref: 'refs/heads/main' },
      },
      {
        runId: runIdForKey('main-pushes', events[2]!.id, START + 2 * MINUTE),
        requestedAt: new Date(START + 2 * MINUTE).toISOString(),
        eventIds: [events[2]!.id],
        input: { ref: 'refs/heads/main' },
      },
    ]);
  });

  it('treats an event a foreign producer sent as the live evaluator does: it has no owner', async () => {
    const trigger = { id: 'by-type', eventTypes: ['com.github.push'] };
    const claimed = [push('refs/heads/main', START)];
    expect((await backtest(trigger, claimed)).runs).toBe(1);
    const foreign = await backtest(trigger, claimed, { fromFlint: false });
    expect(foreign.runs).toBe(0);
    expect(
      (await backtest({ ...trigger, fromOwners: 'any' }, claimed, { fromFlint: false })).runs,
    ).toBe(1);
  });

  it('dedupes by key within the window on the events’ own time, and lists only the first runs', async () => {
    const events = [
      push('refs/heads/main', START),
      push('refs/heads/main', START + 30 * MINUTE),
      push('refs/heads/main', START + HOUR - 1),
      push('refs/heads/main', START + HOUR),
    ];
    const result = await backtest(
      {
        id: 'per-ref',
        eventTypes: ['com.github.push'],
        dedupe: { key: 'event.data.ref', window: '1h' },
      },
      events,
      { shown: 1 },
    );
    expect(result.runs).toBe(2);
    expect(result.decisions).toEqual({ matched: 2, deduplicated: 2 });
    expect(result.shown.map((run) => run.eventIds)).toEqual([[events[0]!.id]]);
  });

  it('fires a batch timeout at its simulated time, before the next event, and not past the range', async () => {
    const events = [
      push('a', START),
      push('b', START + 10_000),
      // Comes after the first batch's timeout: it opens the next batch, which times out after `to`.
      push('c', START + 2 * MINUTE),
    ];
    const result = await backtest(
      { id: 'digest', eventTypes: ['com.github.push'], batch: { timeout: '1m' } },
      events,
      { to: START + 2 * MINUTE + 30_000 },
    );
    expect(result.runs).toBe(1);
    expect(result.decisions).toEqual({ batched: 3 });
    expect(result.shown).toEqual([
      expect.objectContaining({
        requestedAt: new Date(START + MINUTE).toISOString(),
        eventIds: [events[0]!.id, events[1]!.id],
      }),
    ]);
  });

  it('debounces per key: a run once the key has been quiet, for the events it collected', async () => {
    const events = [push('a', START), push('a', START + 30_000), push('a', START + 5 * MINUTE)];
    const result = await backtest(
      { id: 'quiet', eventTypes: ['com.github.push'], debounce: { period: '1m' } },
      events,
    );
    expect(result.runs).toBe(2);
    expect(result.shown.map((run) => [run.requestedAt, run.eventIds])).toEqual([
      [new Date(START + 90_000).toISOString(), [events[0]!.id, events[1]!.id]],
      [new Date(START + 6 * MINUTE).toISOString(), [events[2]!.id]],
    ]);
  });

  it('backtests a disabled trigger as if it were enabled', async () => {
    const result = await backtest({ id: 'off', enabled: false, eventTypes: ['com.github.push'] }, [
      push('a', START),
    ]);
    expect(result.runs).toBe(1);
  });
});
