import { CelEngine } from '@flint/conditions';
import {
  type InlineSource,
  runIdForKey,
  type StoredSource,
  StoredSourceSchema,
  type StoredTrigger,
  StoredTriggerSchema,
} from '@flint/contracts';
import { InvalidTestEventError, TriggerTester } from './trigger-tester';

const NOW = new Date('2026-04-01T12:00:00Z');
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const UPDATED_AT = '2026-01-01T00:00:00Z';

function trigger(fields: Record<string, unknown>): StoredTrigger {
  return StoredTriggerSchema.parse({
    kind: 'trigger',
    id: 'deploy',
    version: 3,
    updatedAt: UPDATED_AT,
    target: { type: 'local', workflow: 'echo' },
    ...fields,
  });
}

function source(fields: Record<string, unknown>): StoredSource {
  return StoredSourceSchema.parse({ kind: 'source', version: 1, updatedAt: UPDATED_AT, ...fields });
}

describe('TriggerTester', () => {
  let tester: TriggerTester;
  const github = source({
    id: 'github',
    provider: 'webhook',
    config: { path: 'github', auth: { type: 'none' } },
  });
  const orders = source({ id: 'orders', provider: 'event', config: { types: ['shop.order'] } });
  const sources = new Map<string, InlineSource>([
    ['github', github],
    ['orders', orders],
  ]);

  beforeAll(async () => {
    tester = new TriggerTester(await CelEngine.create(), () => NOW);
  });

  it('matches, with the dedupe key, mapped input and run id the evaluator would produce', () => {
    const deploy = trigger({
      sources: ['github'],
      condition: "event.data.ref == 'refs/heads/main'",
      dedupe: { key: 'event.data.after', window: '1h' },
      input: { commit: 'event.data.after', who: 'event.data.pusher' },
    });
    const outcome = tester.test(
      deploy,
      sources,
      { data: { ref: 'refs/heads/main', after: 'abc123', pusher: 'ada' } },
      TRACEPARENT,
    );
    expect(outcome.matched).toBe(true);
    if (!outcome.matched) return;
    expect(outcome.dedupeKey).toBe('abc123');
    expect(outcome.request.input).toEqual({ commit: 'abc123', who: 'ada' });
    expect(outcome.request.runId).toBe(runIdForKey('deploy', 'abc123', NOW.getTime()));
    expect(outcome.request).toMatchObject({
      triggerId: 'deploy',
      triggerVersion: 3,
      traceparent: TRACEPARENT,
      provider: 'webhook',
    });
    // The sample was completed so that it reaches the trigger through its source.
    expect(outcome.event).toMatchObject({
      specversion: '1.0',
      flintsourceid: 'github',
      flintprovider: 'webhook',
      time: NOW.toISOString(),
      datacontenttype: 'application/json',
    });
  });

  it('uses the event id as dedupe key and the whole event as input when nothing is set', () => {
    const outcome = tester.test(
      trigger({ eventTypes: ['shop.refund'] }),
      sources,
      { id: 'evt-1', data: { amount: 5 } },
      TRACEPARENT,
    );
    expect(outcome).toMatchObject({ matched: true, dedupeKey: 'evt-1' });
    if (!outcome.matched) return;
    expect(outcome.event.type).toBe('shop.refund');
    expect(outcome.request.input).toMatchObject({ id: 'evt-1', data: { amount: 5 } });
  });

  it('says when the event comes from a source or type the trigger does not listen to', () => {
    const deploy = trigger({ sources: ['github'] });
    const outcome = tester.test(
      deploy,
      sources,
      { flintsourceid: 'gitlab', type: 'push' },
      TRACEPARENT,
    );
    expect(outcome).toMatchObject({ matched: false, reason: { code: 'not_listening' } });
    if (outcome.matched) return;
    expect(outcome.reason.message).toContain('listens to github');
    expect(outcome.reason.message).toContain('source gitlab');

    const byType = tester.test(
      trigger({ sources: ['orders'] }),
      sources,
      { type: 'shop.refund' },
      TRACEPARENT,
    );
    expect(byType).toMatchObject({ matched: false, reason: { code: 'not_listening' } });
  });

  it('reaches an event source by type from custom events', () => {
    const outcome = tester.test(trigger({ sources: ['orders'] }), sources, {}, TRACEPARENT);
    expect(outcome).toMatchObject({
      matched: true,
      event: { type: 'shop.order', flintprovider: 'api' },
    });
  });

  it('reports a false condition and a condition that fails on the event', () => {
    const strict = trigger({ eventTypes: ['shop.order'], condition: 'event.data.total > 100' });
    expect(tester.test(strict, sources, { data: { total: 5 } }, TRACEPARENT)).toMatchObject({
      matched: false,
      reason: {
        code: 'condition_false',
        message: "the trigger's `condition` is false for this event",
      },
    });
    const failing = tester.test(strict, sources, { data: { other: 1 } }, TRACEPARENT);
    expect(failing).toMatchObject({ matched: false, reason: { code: 'condition_error' } });
    if (failing.matched) return;
    expect(failing.reason.message).toContain('total');
    expect(failing.reason.message).toMatch(/^event\.data\.total > 100: /);
  });

  it('gives a sample without a type the type its source emits, or the one `match` requires', () => {
    const typeOf = (t: StoredTrigger, extra: Map<string, InlineSource> = sources) =>
      tester.test(t, extra, { data: {} }, TRACEPARENT).event.type;
    expect(typeOf(trigger({ sources: ['github'] }))).toBe('flint.webhook.received');
    const byHeader = source({
      id: 'gh-typed',
      provider: 'webhook',
      config: {
        path: 'gh',
        auth: { type: 'none' },
        eventType: { header: 'x-github-event', prefix: 'github.', fallback: 'github.unknown' },
      },
    });
    const typed = new Map([...sources, ['gh-typed', byHeader]]);
    expect(typeOf(trigger({ sources: ['gh-typed'] }), typed)).toBe('github.unknown');
    const onPush = trigger({ sources: ['gh-typed'], match: { type: 'github.push' } });
    expect(tester.test(onPush, typed, { data: {} }, TRACEPARENT)).toMatchObject({
      matched: true,
      event: { type: 'github.push', flintsourceid: 'gh-typed' },
    });
    expect(typeOf(trigger({ sources: ['orders'] }))).toBe('shop.order');
    expect(
      typeOf(
        trigger({
          sources: [{ id: 'nightly', provider: 'cron', config: { schedule: '0 3 * * *' } }],
        }),
      ),
    ).toBe('flint.cron.tick');
  });

  it('shows a cancelOn event cancelling runs of its key rather than firing', () => {
    const fulfil = trigger({
      eventTypes: ['shop.order.paid'],
      cancelOn: {
        eventTypes: ['shop.order.cancelled'],
        condition: "event.data.reason != 'test'",
        match: 'event.data.order',
      },
    });
    const cancelling = { type: 'shop.order.cancelled', data: { order: 'o-1', reason: 'customer' } };
    expect(tester.test(fulfil, sources, cancelling, TRACEPARENT)).toMatchObject({
      matched: false,
      reason: {
        code: 'cancels',
        message: 'would cancel the trigger\'s queued or running runs with key "o-1"',
      },
      decision: { outcome: 'cancelling' },
    });
    const test = { ...cancelling, data: { order: 'o-1', reason: 'test' } };
    expect(tester.test(fulfil, sources, test, TRACEPARENT)).toMatchObject({
      matched: false,
      reason: { code: 'condition_false' },
      decision: { outcome: 'condition_false' },
    });
    const paid = { type: 'shop.order.paid', data: { order: 'o-1' } };
    expect(tester.test(fulfil, sources, paid, TRACEPARENT)).toMatchObject({
      matched: true,
      request: { cancelKey: 'o-1' },
    });
  });

  it('reports an input that cannot be mapped', () => {
    const outcome = tester.test(
      trigger({ eventTypes: ['shop.order'], input: { x: 'event.data.missing' } }),
      sources,
      { data: {} },
      TRACEPARENT,
    );
    expect(outcome).toMatchObject({ matched: false, reason: { code: 'input_error' } });
    if (outcome.matched) return;
    expect(outcome.reason.message).toContain('input.x');
  });

  it('shows a batch trigger the run of a batch of this one event', () => {
    const outcome = tester.test(
      trigger({ eventTypes: ['shop.order'], batch: { size: 10 }, input: { n: 'size(batch)' } }),
      sources,
      {},
      TRACEPARENT,
    );
    expect(outcome).toMatchObject({ matched: true, request: { input: { n: 1 } } });
  });

  it('refuses a sample that is no CloudEvent once completed', () => {
    expect(() =>
      tester.test(trigger({ eventTypes: ['x'] }), sources, { time: 'yesterday' }, TRACEPARENT),
    ).toThrow(InvalidTestEventError);
  });

  it('says until when a debounce would hold the run, with the last event or all of them', () => {
    const held = (debounce: Record<string, unknown>) =>
      tester.test(
        trigger({ sources: ['github'], debounce, input: { ref: 'event.data.ref' } }),
        sources,
        { data: { ref: 'refs/heads/main' }, flintacceptedat: '2026-04-01T12:00:00.000Z' },
        TRACEPARENT,
      );
    const last = held({ period: '30s', maxWait: '5m' });
    if (!last.matched) throw new Error('no match');
    expect(last.deferred).toEqual({
      by: 'debounce',
      until: '2026-04-01T12:00:30.000Z',
      message:
        'would be debounced until 2026-04-01T12:00:30.000Z: the run starts once its key has been ' +
        'quiet for 30s, and at the latest 5m after the first event of its key, with the last event',
    });
    expect(last.request.input).toEqual({ ref: 'refs/heads/main' });
    const all = tester.test(
      trigger({
        sources: ['github'],
        debounce: { period: '1m', deliver: 'all' },
        input: { n: 'size(batch)' },
      }),
      sources,
      {},
      TRACEPARENT,
    );
    if (!all.matched) throw new Error('no match');
    expect(all.deferred?.message).toContain('quiet for 1m, with every event');
    expect(all.request.input).toEqual({ n: 1 });
  });

  it('says when an absence trigger would run unless the missing event comes', () => {
    const outcome = tester.test(
      trigger({
        eventTypes: ['shop.paid', 'shop.shipped'],
        expect: { after: 'shop.paid', missing: 'shop.shipped', within: '15m' },
      }),
      sources,
      { type: 'shop.paid', flintacceptedat: '2026-04-01T12:00:00.000Z' },
      TRACEPARENT,
    );
    if (!outcome.matched) throw new Error('no match');
    expect(outcome.deferred).toEqual({
      by: 'expect',
      until: '2026-04-01T12:15:00.000Z',
      message:
        'would run at 2026-04-01T12:15:00.000Z unless a shop.shipped event of its key comes by then',
    });
    const answer = tester.test(
      trigger({
        eventTypes: ['shop.paid', 'shop.shipped'],
        expect: { after: 'shop.paid', missing: 'shop.shipped', within: '15m' },
      }),
      sources,
      { type: 'shop.shipped' },
      TRACEPARENT,
    );
    if (!answer.matched) throw new Error('no match');
    expect(answer.deferred?.message).toBe(
      'would end the waits of its key for a shop.shipped event; it starts no run',
    );
  });
});
