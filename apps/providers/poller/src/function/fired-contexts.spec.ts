import { contextKey } from './context-key';
import { type FiredContext, MAX_REMEMBERED, planFiring, type RunsOfEvent } from './fired-contexts';

const now = new Date('2026-05-01T12:00:00Z');
const plan = (
  contexts: unknown[],
  allowConcurrent: boolean,
  remembered: Record<string, FiredContext> = {},
  runs: RunsOfEvent = 'none',
) =>
  planFiring({
    contexts,
    allowConcurrent,
    eventType: 'flint.function.fired',
    now,
    remembered,
    runsOf: async () => runs,
  });

describe('contextKey', () => {
  it('is the same for the same JSON whatever the key order, and differs otherwise', () => {
    expect(contextKey({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(
      contextKey({ b: [1, { d: 3, c: 2 }], a: 1 }),
    );
    expect(contextKey({ a: 1 })).not.toBe(contextKey({ a: '1' }));
    expect(contextKey({ a: 1, b: undefined })).toBe(contextKey({ a: 1 }));
    expect(contextKey('x')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('planFiring', () => {
  const key = contextKey({ file: 'a.csv' });

  it('makes one event per distinct context: its data, its key as subject', async () => {
    const { events } = await plan([{ file: 'a.csv' }, { file: 'b.csv' }, { file: 'a.csv' }], true);
    expect(events).toEqual([
      {
        id: `${key}.${now.getTime()}`,
        type: 'flint.function.fired',
        subject: key,
        data: { file: 'a.csv' },
      },
      expect.objectContaining({ data: { file: 'b.csv' } }),
    ]);
  });

  it('with allowConcurrent, gives every poll a new event id and remembers nothing', async () => {
    const result = await plan([{ file: 'a.csv' }], true, {}, 'in-progress');
    expect(result.events).toHaveLength(1);
    expect(result.remembered).toEqual({});
  });

  it('without allowConcurrent, skips a context whose run is still going', async () => {
    const previous = { eventId: `${key}.1`, emittedAt: '2026-05-01T11:00:00.000Z' };
    const result = await plan([{ file: 'a.csv' }], false, { [key]: previous }, 'in-progress');
    expect(result).toEqual({ events: [], skipped: 1, remembered: { [key]: previous } });
  });

  it('sends the same event id again while no run of it was claimed yet', async () => {
    const previous = { eventId: `${key}.1`, emittedAt: '2026-05-01T11:00:00.000Z' };
    const result = await plan([{ file: 'a.csv' }], false, { [key]: previous }, 'none');
    expect(result.events.map((e) => e.id)).toEqual([`${key}.1`]);
    expect(result.remembered).toEqual({ [key]: previous });
  });

  it('fires with a new id once the runs of the previous one finished', async () => {
    const previous = { eventId: `${key}.1`, emittedAt: '2026-05-01T11:00:00.000Z' };
    const result = await plan([{ file: 'a.csv' }], false, { [key]: previous }, 'finished');
    expect(result.events.map((e) => e.id)).toEqual([`${key}.${now.getTime()}`]);
    expect(result.remembered).toEqual({
      [key]: { eventId: `${key}.${now.getTime()}`, emittedAt: now.toISOString() },
    });
  });

  it('remembers at most MAX_REMEMBERED contexts, the most recent', async () => {
    const contexts = Array.from({ length: MAX_REMEMBERED + 5 }, (_, i) => ({ i }));
    const { remembered } = await plan(contexts, false);
    const keys = Object.keys(remembered);
    expect(keys).toHaveLength(MAX_REMEMBERED);
    expect(keys[0]).toBe(contextKey({ i: 5 }));
    expect(keys.at(-1)).toBe(contextKey({ i: MAX_REMEMBERED + 4 }));
  });
});
