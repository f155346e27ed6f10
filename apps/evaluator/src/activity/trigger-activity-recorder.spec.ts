import { ALL_EVENTS, type ActivityBounds, type ActivityFlush } from '@flint/store';
import { webhookEvent } from '../testing/triggers';
import { ActivityTally } from './activity-tally';
import { dataExcerpt, TriggerActivityRecorder } from './trigger-activity-recorder';

const MINUTE = 60_000;
const T0 = Date.parse('2026-01-02T03:04:00Z');

describe('TriggerActivityRecorder', () => {
  let now: number;
  let flushes: { flush: ActivityFlush; bounds: ActivityBounds }[];
  let failWrites: number;
  let recorder: TriggerActivityRecorder;

  beforeEach(() => {
    now = T0 + 5000;
    flushes = [];
    failWrites = 0;
    recorder = new TriggerActivityRecorder({
      sink: {
        record: async (flush, bounds) => {
          if (failWrites > 0) {
            failWrites--;
            throw new Error('database down');
          }
          flushes.push({ flush, bounds });
        },
      },
      now: () => now,
      flushIntervalMs: 1000,
      eventsPerSource: 3,
      retentionMs: 24 * 3_600_000,
      excerptChars: 20,
      log: () => undefined,
    });
  });

  const tally = (counts: [string, 'matched' | 'dropped' | 'duplicate' | 'error'][]) => {
    const t = new ActivityTally();
    for (const [trigger, result] of counts) t.count(trigger, result);
    return t;
  };

  it('sums passes per trigger and minute, and writes them in one flush', async () => {
    recorder.apply(
      tally([
        ['deploy', 'matched'],
        ['deploy', 'dropped'],
        ['label', 'duplicate'],
      ]),
    );
    recorder.apply(
      tally([
        ['deploy', 'matched'],
        ['label', 'error'],
      ]),
    );
    now += MINUTE;
    recorder.apply(tally([['deploy', 'dropped']]));
    await recorder.flush();

    expect(flushes).toHaveLength(1);
    const rows = flushes[0]!.flush.counts;
    expect(rows).toEqual(
      expect.arrayContaining([
        {
          triggerId: 'deploy',
          minute: new Date(T0),
          received: 3,
          matched: 2,
          dropped: 1,
          duplicate: 0,
          errors: 0,
        },
        {
          triggerId: 'label',
          minute: new Date(T0),
          received: 2,
          matched: 0,
          dropped: 0,
          duplicate: 1,
          errors: 1,
        },
        {
          triggerId: 'deploy',
          minute: new Date(T0 + MINUTE),
          received: 1,
          matched: 0,
          dropped: 1,
          duplicate: 0,
          errors: 0,
        },
      ]),
    );
    expect(rows).toHaveLength(3);
    expect(flushes[0]!.bounds).toEqual({
      eventsPerSource: 3,
      countsSince: new Date(now - 24 * 3_600_000),
    });
  });

  it('counts events per source and in all, per minute, across passes and failed flushes', async () => {
    const pass = (consumed: number, ...sourceIds: string[]) => {
      const t = new ActivityTally();
      for (let i = 0; i < consumed; i++) t.consume();
      for (const id of sourceIds) t.event(id, webhookEvent({ id: `${id}-${i++}` }));
      return t;
    };
    let i = 0;
    recorder.apply(pass(3, 'github', 'github'));
    failWrites = 1;
    await recorder.flush();
    recorder.apply(pass(1, 'github'));
    now += MINUTE;
    recorder.apply(pass(2, 'orders'));
    await recorder.flush();

    expect(flushes).toHaveLength(1);
    expect(flushes[0]!.flush.sourceCounts).toEqual(
      expect.arrayContaining([
        { sourceId: ALL_EVENTS, minute: new Date(T0), events: 4 },
        { sourceId: 'github', minute: new Date(T0), events: 3 },
        { sourceId: ALL_EVENTS, minute: new Date(T0 + MINUTE), events: 2 },
        { sourceId: 'orders', minute: new Date(T0 + MINUTE), events: 1 },
      ]),
    );
    expect(flushes[0]!.flush.sourceCounts).toHaveLength(4);
  });

  it('writes nothing when nothing happened, and nothing twice', async () => {
    await recorder.flush();
    recorder.apply(tally([['deploy', 'matched']]));
    await recorder.flush();
    await recorder.flush();
    expect(flushes).toHaveLength(1);
  });

  it('keeps only the last events of each source, newest last, with a bounded excerpt', async () => {
    const events = Array.from({ length: 10 }, (_, i) =>
      webhookEvent({ id: `e${i}`, data: { i, padding: 'x'.repeat(50) } }),
    );
    for (const event of events) {
      const t = new ActivityTally();
      t.event('github', event);
      recorder.apply(t);
    }
    const other = new ActivityTally();
    other.event('orders', webhookEvent({ id: 'o1', data: { small: true } }));
    recorder.apply(other);
    await recorder.flush();

    const recorded = flushes[0]!.flush.events;
    expect(recorded.map((e) => [e.sourceId, e.eventId])).toEqual([
      ['github', 'e7'],
      ['github', 'e8'],
      ['github', 'e9'],
      ['orders', 'o1'],
    ]);
    expect(recorded[0]).toMatchObject({
      type: 'com.github.push',
      provider: 'webhook',
      dataExcerpt: '{"i":7,"padding":"xx',
      dataTruncated: true,
    });
    expect(recorded[3]).toMatchObject({ dataExcerpt: '{"small":true}', dataTruncated: false });
  });

  it('keeps a failed flush for the next one, merged with what came meanwhile', async () => {
    recorder.apply(tally([['deploy', 'matched']]));
    const first = new ActivityTally();
    first.event('github', webhookEvent({ id: 'before' }));
    recorder.apply(first);
    failWrites = 1;
    await recorder.flush();
    expect(flushes).toEqual([]);

    recorder.apply(tally([['deploy', 'matched']]));
    const second = new ActivityTally();
    second.event('github', webhookEvent({ id: 'after' }));
    recorder.apply(second);
    await recorder.flush();
    expect(flushes[0]!.flush.counts).toEqual([
      expect.objectContaining({ triggerId: 'deploy', received: 2, matched: 2 }),
    ]);
    expect(flushes[0]!.flush.events.map((e) => e.eventId)).toEqual(['before', 'after']);
  });

  it('flushes what is left when it stops', async () => {
    recorder.start();
    recorder.apply(tally([['deploy', 'matched']]));
    await recorder.stop();
    expect(flushes).toHaveLength(1);
  });
});

describe('dataExcerpt', () => {
  it('shows JSON, text and bytes, cut to the bound', () => {
    expect(dataExcerpt(undefined, 10)).toEqual({ truncated: false });
    expect(dataExcerpt({ a: 1 }, 10)).toEqual({ text: '{"a":1}', truncated: false });
    expect(dataExcerpt('plain text that is long', 10)).toEqual({
      text: 'plain text',
      truncated: true,
    });
    expect(dataExcerpt(Buffer.from([1, 2, 3]), 100)).toEqual({
      text: '(3 bytes of binary data)',
      truncated: false,
    });
  });
});
