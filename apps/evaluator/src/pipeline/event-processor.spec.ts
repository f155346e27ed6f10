import { ManualClock } from '@flint/common/testing';
import { CelEngine, compileTrigger } from '@flint/conditions';
import {
  type CloudEvent,
  MAX_DECISIONS_PER_EVENT,
  type RunRequest,
  RunRequestSchema,
  runIdForEvents,
  runIdForKey,
  runStatusEventType,
} from '@flint/contracts';
import type { OutgoingRecord } from '@flint/kafka';
import type { ArchiveEntry } from '@flint/store';
import { BatchManager } from '../batching/batch-manager';
import { batchEmitter } from '../batching/batch-emitter';
import { CompoundTracker } from '../compound/compound-tracker';
import { TriggerIndex } from '../definitions/trigger-index';
import { ActivityTally } from '../activity/activity-tally';
import { MetricsTally } from '../evaluator-metrics';
import { MemoryBatchStore } from '../simulation/memory-batch-store';
import { MemoryCompoundStore } from '../simulation/memory-compound-store';
import { MemoryDedupeKeys } from '../simulation/memory-dedupe-keys';
import { MemoryRateLimits } from '../simulation/memory-rate-limits';
import { DelayedRuns } from '../rate-limit/delayed-runs';
import { settle } from '../testing/settle';
import { storedSource, storedTrigger, webhookEvent } from '../testing/triggers';
import { DedupeWindow } from './dedupe-window';
import { EventProcessor, EXPLAINED_MISSES } from './event-processor';
import { RunRequestMaker } from './run-request-maker';

const RUNS = 'flint.runs';
const HOUR = 3_600_000;

describe('EventProcessor', () => {
  let engine: CelEngine;
  let clock: ManualClock;
  let index: TriggerIndex;
  let sent: OutgoingRecord[];
  let tallies: MetricsTally[];
  let activities: ActivityTally[];
  let logged: { message: string; fields?: Record<string, unknown> }[];
  let failSends: number;
  let processor: EventProcessor;
  let batches: BatchManager;
  let dedupe: DedupeWindow;
  let rateLimits: MemoryRateLimits;
  let delayed: DelayedRuns;
  let archived: ArchiveEntry[];
  let dedupeKeys: MemoryDedupeKeys;
  let cancelAsks: { triggerId: string; cancelKey: string | undefined; eventId: string }[];

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  beforeEach(() => {
    clock = new ManualClock();
    index = new TriggerIndex((definition) => compileTrigger(engine, definition));
    sent = [];
    tallies = [];
    activities = [];
    logged = [];
    failSends = 0;
    archived = [];
    dedupeKeys = new MemoryDedupeKeys();
    dedupe = new DedupeWindow(1000);
    const runs = new RunRequestMaker(clock, RUNS);
    const send = async (records: OutgoingRecord[]) => {
      if (failSends > 0) {
        failSends--;
        throw new Error('Kafka is down');
      }
      sent.push(...records);
    };
    const metrics = { apply: (tally: MetricsTally) => tallies.push(tally) };
    const log = (_level: string, message: string, fields?: Record<string, unknown>) =>
      logged.push({ message, fields });
    batches = new BatchManager({
      store: new MemoryBatchStore(),
      clock,
      trigger: (id) => {
        const trigger = index.get(id);
        return trigger?.kind === 'compiled' ? trigger : undefined;
      },
      emit: batchEmitter({ runs, runsTopic: RUNS, send, metrics, log }),
      log,
    });
    rateLimits = new MemoryRateLimits();
    delayed = new DelayedRuns({
      store: rateLimits,
      clock,
      send: async (run) => {
        sent.push({ topic: RUNS, key: run.runId, value: run.request });
      },
      log,
    });
    cancelAsks = [];
    processor = new EventProcessor({
      index,
      dedupe,
      cancels: {
        requestCancelByEvent: async ({ triggerId, cancelKey, eventId }) => {
          cancelAsks.push({ triggerId, cancelKey, eventId });
          return [`${triggerId}.run-of-${cancelKey ?? 'any'}`];
        },
      },
      dedupeKeys,
      batches,
      rateLimits,
      delayed,
      now: () => clock.now(),
      compounds: new CompoundTracker(new MemoryCompoundStore(), clock, (t, members, completing) =>
        runs.forCompound(t, members, completing),
      ),
      runs,
      runsTopic: RUNS,
      groupId: 'flint-evaluator',
      send,
      metrics,
      activity: { apply: (tally: ActivityTally) => activities.push(tally) },
      archive: {
        write: async (entries) => {
          archived.push(...entries);
        },
      },
      log,
    });
  });

  const define = (fields: Record<string, unknown>) =>
    index.setTrigger(fields.id as string, storedTrigger(fields));
  /** The event as the consumer hands it over; `fromFlint`: a Flint service's signature holds. */
  const consumed = (event: CloudEvent, fromFlint: boolean, offset = 0) => ({
    event,
    message: { topic: 'flint.events', partition: 0, offset: String(offset), key: null },
    fromFlint,
  });
  const process = (...events: CloudEvent[]) =>
    processor.process(events.map((event, offset) => consumed(event, true, offset)));
  const requests = (): RunRequest[] =>
    sent.map((record) => RunRequestSchema.parse(JSON.parse(String(record.value))));
  const results = () => {
    const total = new MetricsTally();
    for (const tally of tallies) {
      for (const [key, count] of tally.filtered)
        total.filtered.set(key, (total.filtered.get(key) ?? 0) + count);
    }
    return {
      matched: total.count('matched'),
      dropped: total.count('dropped'),
      duplicate: total.count('duplicate'),
      error: total.count('error'),
    };
  };

  /** A trigger's counts over all passes: matched, dropped, duplicate, error. */
  const activityOf = (triggerId: string) => {
    const total = [0, 0, 0, 0];
    for (const tally of activities) {
      (tally.triggers.get(triggerId) ?? []).forEach((count, i) => (total[i] += count));
    }
    return total;
  };
  const recentEvents = () =>
    activities.flatMap((tally) => tally.events.map((event, i) => [tally.sourceIds[i], event.type]));

  it('turns a matching event into a run request keyed by a deterministic run id', async () => {
    define({
      id: 'deploy',
      eventTypes: ['com.github.push'],
      match: { 'data.ref': 'refs/heads/main' },
      condition: 'event.data.n > 0',
      input: { ref: 'event.data.ref', n: 'event.data.n * 2', env: "'prod'" },
      concurrency: { key: 'event.data.ref', allowConcurrent: false },
      priority: 'event.data.n > 0 ? 7 : 0',
      retry: { maxAttempts: 5 },
    });
    const event = webhookEvent({
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    await process(event);
    const [request] = requests();
    expect(request).toMatchObject({
      runId: runIdForKey('deploy', event.id, Date.parse(event.flintacceptedat)),
      triggerId: 'deploy',
      triggerVersion: 1,
      owner: 'default',
      target: { type: 'local', workflow: 'echo' },
      input: { ref: 'refs/heads/main', n: (event.data as { n: number }).n * 2, env: 'prod' },
      eventIds: [event.id],
      dedupeKey: event.id,
      concurrencyKey: 'refs/heads/main',
      concurrency: { allowConcurrent: false, onBusy: 'skip' },
      priority: 7,
      retry: { maxAttempts: 5 },
      acceptedAt: event.flintacceptedat,
      requestedAt: new Date(clock.now()).toISOString(),
      traceparent: event.traceparent,
      provider: 'webhook',
    });
    expect(sent[0]).toMatchObject({
      topic: RUNS,
      key: request?.runId,
      headers: { traceparent: event.traceparent },
    });
    expect(results()).toEqual({ matched: 1, dropped: 0, duplicate: 0, error: 0 });
    expect(tallies[0]?.runRequests.get('webhook')).toBe(1);
  });

  it('passes the whole event as input when nothing is mapped', async () => {
    define({ id: 'raw', eventTypes: ['com.github.push'] });
    const event = webhookEvent();
    await process(event);
    expect(requests()[0]?.input).toEqual(event);
  });

  it('drops events that no trigger wants or that fail match or condition', async () => {
    define({
      id: 'main-only',
      eventTypes: ['com.github.push'],
      match: { 'data.ref': 'refs/heads/main' },
    });
    define({
      id: 'big-only',
      eventTypes: ['com.github.push'],
      condition: 'event.data.n > 1000000',
    });
    await process(
      webhookEvent({ data: { ref: 'refs/heads/dev', n: 1 } }),
      webhookEvent({ type: 'x' }),
    );
    expect(sent).toEqual([]);
    expect(results()).toEqual({ matched: 0, dropped: 3, duplicate: 0, error: 0 });
    // The event of type "x" reached no trigger: it counts for its source, not for any trigger.
    expect(activityOf('main-only')).toEqual([0, 1, 0, 0]);
    expect(activityOf('big-only')).toEqual([0, 1, 0, 0]);
    expect(recentEvents()).toEqual([
      ['github', 'com.github.push'],
      ['github', 'x'],
    ]);
  });

  it('starts one run for the same event delivered three times', async () => {
    define({ id: 'deploy', eventTypes: ['com.github.push'] });
    const event = webhookEvent();
    await process(event, event);
    await process(event);
    expect(requests().map((r) => r.eventIds)).toEqual([[event.id]]);
    expect(results()).toEqual({ matched: 1, dropped: 0, duplicate: 2, error: 0 });
    expect(activityOf('deploy')).toEqual([1, 0, 2, 0]);
  });

  it('dedupes by a key expression within the window, and runs again after it', async () => {
    define({
      id: 'per-ref',
      eventTypes: ['com.github.push'],
      dedupe: { key: 'event.data.ref', window: '1h' },
    });
    const start = Date.parse('2026-01-02T03:00:00Z');
    const first = webhookEvent({}, start);
    await process(first, webhookEvent({}, start + 30 * 60_000));
    await process(webhookEvent({}, start + HOUR - 1));
    const later = webhookEvent({}, start + HOUR);
    await process(later);
    expect(requests().map((r) => r.eventIds[0])).toEqual([first.id, later.id]);
    expect(requests().map((r) => r.dedupeKey)).toEqual(['refs/heads/main', 'refs/heads/main']);
    expect(new Set(requests().map((r) => r.runId)).size).toBe(2);
    expect(results().duplicate).toBe(2);
  });

  it('gives a replayed event the same run id even when the dedupe cache forgot it', async () => {
    define({ id: 'deploy', eventTypes: ['com.github.push'], dedupe: { key: 'event.data.ref' } });
    const event = webhookEvent();
    await process(event);
    dedupe.prune(Number.MAX_SAFE_INTEGER);
    await process(event);
    const [first, second] = requests();
    expect(second?.runId).toBe(first?.runId);
  });

  it('keeps a retry across midnight UTC in the window of its first sighting, even after a restart', async () => {
    define({ id: 'deploy', eventTypes: ['com.github.push'] });
    const delivery = webhookEvent({}, Date.parse('2026-01-02T23:59:55Z'));
    await process(delivery);
    // The evaluator restarts (its cache is empty) and the sender retries the same delivery 10 s
    // later, past the boundary where a fixed 24 h window would have begun a new run.
    dedupe.prune(Number.MAX_SAFE_INTEGER);
    const retry = { ...delivery, flintacceptedat: '2026-01-03T00:00:05.000Z' };
    await process(retry);
    // A day after the first sighting, the same delivery id is a new run.
    const nextDay = { ...delivery, flintacceptedat: '2026-01-03T23:59:55.000Z' };
    await process(nextDay);
    const [first, second, third] = requests();
    expect(second?.runId).toBe(first?.runId);
    expect(first?.runId).toBe(
      runIdForKey('deploy', delivery.id, Date.parse('2026-01-02T23:59:55Z')),
    );
    expect(third?.runId).toBe(
      runIdForKey('deploy', delivery.id, Date.parse('2026-01-03T23:59:55Z')),
    );
  });

  it('counts a failing condition as an error, logs it with both ids, and goes on', async () => {
    define({
      id: 'fragile',
      eventTypes: ['com.github.push'],
      condition: 'event.data.missing.x == 1',
    });
    define({ id: 'sturdy', eventTypes: ['com.github.push'] });
    const event = webhookEvent();
    await process(event);
    expect(requests().map((r) => r.triggerId)).toEqual(['sturdy']);
    expect(results()).toEqual({ matched: 1, dropped: 0, duplicate: 0, error: 1 });
    expect(activityOf('fragile')).toEqual([0, 0, 0, 1]);
    expect(activityOf('sturdy')).toEqual([1, 0, 0, 0]);
    expect(logged).toContainEqual({
      message: 'trigger evaluation failed; the event does not fire it',
      fields: expect.objectContaining({
        triggerId: 'fragile',
        eventId: event.id,
        error: 'No such key: missing',
      }),
    });
  });

  it("counts a priority out of range as that trigger's error, with the reason logged", async () => {
    define({
      id: 'too-eager',
      eventTypes: ['com.github.push'],
      priority: 'int(event.data.n) * 1000',
    });
    const event = webhookEvent();
    await process(event);
    expect(requests()).toEqual([]);
    expect(results()).toEqual({ matched: 0, dropped: 0, duplicate: 0, error: 1 });
    expect(logged).toContainEqual({
      message: 'trigger evaluation failed; the event does not fire it',
      fields: expect.objectContaining({
        triggerId: 'too-eager',
        error: expect.stringContaining('is outside the allowed range -100 to 100'),
      }),
    });
  });

  it("stops a condition or mapping that costs too much as that trigger's error, and goes on", async () => {
    define({
      id: 'quadratic',
      eventTypes: ['com.github.push'],
      condition: 'event.data.ids.all(a, event.data.ids.all(b, a == b || a != b))',
    });
    define({
      id: 'copying',
      eventTypes: ['com.github.push'],
      input: { all: 'event.data.ids.map(a, event.data.ids + event.data.ids)' },
    });
    define({ id: 'sturdy', eventTypes: ['com.github.push'] });
    const ids = Array.from({ length: 3000 }, (_, i) => i);
    await process(webhookEvent({ data: { ids } }));
    expect(requests().map((r) => r.triggerId)).toEqual(['sturdy']);
    expect(activityOf('quadratic')).toEqual([0, 0, 0, 1]);
    expect(activityOf('copying')).toEqual([0, 0, 0, 1]);
    const stopped = logged.filter((l) => String(l.fields?.error).includes('1,000,000 evaluation'));
    expect(stopped.map((l) => l.fields?.triggerId)).toEqual(['quadratic', 'copying']);
  });

  it('counts an input that cannot be mapped, or is not JSON, as an error', async () => {
    define({ id: 'bad-input', eventTypes: ['com.github.push'], input: { x: 'event.data.nope' } });
    define({ id: 'bytes', eventTypes: ['com.github.push'], input: "b'x'" });
    define({ id: 'broken', eventTypes: ['com.github.push'], condition: '1 +' });
    await process(webhookEvent());
    expect(sent).toEqual([]);
    expect(results().error).toBe(3);
    expect(logged.map((l) => l.fields?.triggerId)).toEqual(['bad-input', 'bytes', 'broken']);
  });

  it('records nothing when producing fails, so the retried pass decides alike', async () => {
    define({ id: 'deploy', eventTypes: ['com.github.push'] });
    const event = webhookEvent();
    failSends = 1;
    await expect(process(event)).rejects.toThrow('Kafka is down');
    expect(tallies).toEqual([]);
    expect(activities).toEqual([]);
    await process(event);
    expect(requests()).toHaveLength(1);
    expect(results()).toEqual({ matched: 1, dropped: 0, duplicate: 0, error: 0 });
  });

  it('batches events and maps over the batch', async () => {
    define({
      id: 'crawl',
      eventTypes: ['com.example.url'],
      batch: { size: 3 },
      input: { urls: 'batch.map(e, e.data.url)', first: 'event.id' },
    });
    const events = ['a', 'b', 'c', 'd'].map((url) =>
      webhookEvent({ type: 'com.example.url', data: { url } }),
    );
    await process(events[0] as CloudEvent, events[1] as CloudEvent);
    expect(sent).toEqual([]);
    await process(events[2] as CloudEvent, events[3] as CloudEvent);
    const [request] = requests();
    expect(request).toMatchObject({
      runId: runIdForEvents(
        'crawl',
        events.slice(0, 3).map((e) => e.id),
      ),
      eventIds: events.slice(0, 3).map((e) => e.id),
      input: { urls: ['a', 'b', 'c'], first: events[0]?.id },
    });
    expect(requests()).toHaveLength(1);
    expect(results().matched).toBe(4);
    expect(batches.openBatches).toBe(1);
  });

  it('emits a timed batch with its default input, the events', async () => {
    define({ id: 'digest', eventTypes: ['com.github.push'], batch: { timeout: '1m' } });
    const events = [webhookEvent(), webhookEvent()];
    await process(...events);
    clock.advance(60_000);
    await settle();
    expect(requests()[0]?.input).toEqual({ events });
  });

  it('waits for every member of a compound trigger, correlated by key', async () => {
    define({
      id: 'ship',
      sources: [{ id: 'orders', provider: 'event', config: { types: ['com.example.order'] } }],
      eventTypes: ['com.example.paid'],
      logic: 'all',
      within: '1h',
      correlate: 'event.data.orderId',
      input: { orderId: "events['orders'].data.orderId" },
    });
    const order = webhookEvent({ type: 'com.example.order', data: { orderId: 'o-1' } });
    const otherPayment = webhookEvent({ type: 'com.example.paid', data: { orderId: 'o-2' } });
    await process(order, otherPayment);
    expect(sent).toEqual([]);
    const payment = webhookEvent({ type: 'com.example.paid', data: { orderId: 'o-1' } });
    await process(payment);
    expect(requests()).toMatchObject([
      { eventIds: [order.id, payment.id], input: { orderId: 'o-1' } },
    ]);
    await process(payment);
    expect(requests()).toHaveLength(1);
    expect(results()).toEqual({ matched: 3, dropped: 0, duplicate: 1, error: 0 });
  });

  it('chains on run-status events and maps the previous run into the next input', async () => {
    index.setSource(
      'deploy-timeouts',
      storedSource({
        id: 'deploy-timeouts',
        provider: 'run-status',
        config: { triggers: ['deploy'], statuses: ['FAILED'], errorTypes: ['TimeoutError'] },
      }),
    );
    define({
      id: 'retry-deploy',
      sources: ['deploy-timeouts'],
      input: { previous: 'event.data.input', reason: 'event.data.error.message' },
    });
    define({
      id: 'big-results',
      eventTypes: [runStatusEventType('SUCCEEDED')],
      condition: "event.data.triggerId == 'report' && event.data.result.total > 100",
      input: 'event.data.result',
    });
    const runStatus = (data: Record<string, unknown>) =>
      webhookEvent({
        type: runStatusEventType(data.status as 'FAILED'),
        flintprovider: 'runner',
        flintsourceid: 'runner',
        data: { runId: 'r-1', attempt: 1, occurredAt: '2026-01-02T03:00:00Z', ...data },
      });
    await process(
      runStatus({
        triggerId: 'deploy',
        status: 'FAILED',
        error: { type: 'TimeoutError', message: 'took too long' },
        input: { commit: 'abc' },
      }),
      runStatus({
        triggerId: 'deploy',
        status: 'FAILED',
        error: { type: 'HttpError', message: '500' },
      }),
      runStatus({ triggerId: 'report', status: 'SUCCEEDED', result: { total: 150 } }),
      runStatus({ triggerId: 'report', status: 'SUCCEEDED', result: { total: 50 } }),
    );
    expect(requests().map((r) => [r.triggerId, r.input, r.provider])).toEqual([
      ['retry-deploy', { previous: { commit: 'abc' }, reason: 'took too long' }, 'runner'],
      ['big-results', { total: 150 }, 'runner'],
    ]);
  });

  /** A signed replay of the event; `foreign`: the original was not produced by Flint. */
  const replayOf = (event: CloudEvent, foreign: boolean) =>
    consumed(
      {
        ...event,
        id: `replay-of-${event.id}`,
        flintreplayof: event.id,
        ...(foreign ? { flintreplayforeign: 'true' } : {}),
      },
      true,
    );

  // An event sent as it is, and a signed replay of it: `unvouched` as no Flint service vouches for
  // the event, `vouched` as one does.
  it.each([
    {
      name: 'refuses flint. types and does not believe owners of events Flint did not produce',
      unvouched: (event: CloudEvent) => consumed(event, false),
      vouched: (event: CloudEvent) => consumed(event, true),
    },
    {
      name: 'gives a signed replay of an event Flint did not produce the trust its original had',
      unvouched: (event: CloudEvent) => replayOf(event, true),
      // The replay of an order a Flint service did produce is believed like the order was.
      vouched: (event: CloudEvent) => replayOf(event, false),
    },
  ])('$name', async ({ unvouched, vouched }) => {
    define({ id: 'chained', eventTypes: [runStatusEventType('FAILED')] });
    define({ id: 'orders', eventTypes: ['com.example.order'], fromOwners: ['shop'] });
    const forged = webhookEvent({
      type: runStatusEventType('FAILED'),
      flintprovider: 'runner',
      flintsourceid: 'runner',
      data: { runId: 'r-1', triggerId: 'deploy', status: 'FAILED', attempt: 1 },
    });
    const claimed = webhookEvent({ type: 'com.example.order', flintowner: 'shop' });
    await processor.process([unvouched(forged), unvouched(claimed)]);
    expect(requests()).toEqual([]);
    expect(tallies[0]?.count('refused')).toBe(1);
    expect(logged.map((entry) => entry.message)).toContain(
      'refused an event of a reserved flint. type not produced by Flint',
    );
    await processor.process([vouched(claimed)]);
    expect(requests().map((r) => r.triggerId)).toEqual(['orders']);
  });

  it('does not count run-status events that no trigger listens to as dropped', async () => {
    define({ id: 'on-order', eventTypes: ['com.example.order.created'] });
    await process(
      webhookEvent({
        type: runStatusEventType('STARTED'),
        flintprovider: 'runner',
        flintsourceid: 'runner',
        data: { runId: 'r-1', triggerId: 'x', status: 'STARTED', attempt: 1 },
      }),
      webhookEvent({ type: 'com.example.nobody.listens' }),
    );
    expect(results()).toEqual({ matched: 0, dropped: 1, duplicate: 0, error: 0 });
  });

  describe('absence triggers', () => {
    const order = (type: string, id: string) =>
      webhookEvent({ type, flintprovider: 'api', flintsourceid: 'api', data: { orderId: id } });

    it('runs when the missing event does not follow within the window, per key', async () => {
      define({
        id: 'unshipped',
        eventTypes: ['shop.paid', 'shop.shipped'],
        expect: {
          after: 'shop.paid',
          missing: 'shop.shipped',
          within: '15m',
          key: 'event.data.orderId',
        },
        input: { order: 'event.data.orderId' },
      });
      const paid7 = order('shop.paid', '7');
      const paid8 = order('shop.paid', '8');
      await process(paid7, paid8);
      clock.advance(10 * 60_000);
      await process(order('shop.shipped', '8'), order('shop.shipped', '9'));
      clock.advance(5 * 60_000);
      await settle();
      expect(requests().map((r) => [r.input, r.eventIds])).toEqual([[{ order: '7' }, [paid7.id]]]);
      // A replayed paid event does not open the satisfied wait again.
      await process(paid8);
      clock.advance(15 * 60_000);
      await settle();
      expect(requests()).toHaveLength(1);
    });

    it('runs when a type goes silent, once per silence', async () => {
      define({
        id: 'quiet',
        eventTypes: ['sensor.reading'],
        expect: { missing: 'sensor.reading', for: '10m' },
      });
      const readings = [order('sensor.reading', 'a'), order('sensor.reading', 'b')];
      await process(readings[0]!);
      clock.advance(9 * 60_000);
      await process(readings[1]!);
      clock.advance(9 * 60_000);
      await settle();
      expect(requests()).toEqual([]);
      clock.advance(60_000);
      await settle();
      expect(requests().map((r) => r.eventIds)).toEqual([[readings[1]!.id]]);
      clock.advance(60 * 60_000);
      await settle();
      expect(requests()).toHaveLength(1);
    });
  });

  describe('rate limits', () => {
    it('drops runs beyond the limit in a sliding period, per key, and counts why', async () => {
      define({
        id: 'notify',
        eventTypes: ['com.github.push'],
        rateLimit: { limit: 2, period: '1m', key: 'event.data.ref' },
      });
      const push = (ref: string) => webhookEvent({ data: { ref } });
      await process(push('main'), push('main'), push('main'), push('dev'));
      expect(requests().map((r) => r.eventIds[0])).toHaveLength(3);
      expect(tallies[0]?.count('rate_limited')).toBe(1);
      expect(activityOf('notify')).toEqual([3, 1, 0, 0]);
      clock.advance(59_999);
      await process(push('main'));
      expect(requests()).toHaveLength(3);
      clock.advance(1);
      await process(push('main'), push('main'), push('main'));
      expect(requests()).toHaveLength(5);
    });

    it('delays runs beyond the limit into the next free slots, and sends each once', async () => {
      define({
        id: 'sync',
        eventTypes: ['com.github.push'],
        rateLimit: { limit: 1, period: '10s', onExceed: 'delay' },
      });
      const events = [webhookEvent(), webhookEvent(), webhookEvent()];
      await process(...events);
      expect(requests().map((r) => r.eventIds[0])).toEqual([events[0]!.id]);
      expect(tallies[0]?.count('delayed')).toBe(2);
      // The same events again (dedupe aside, the rate limit finds their slots): nothing new.
      dedupe.prune(Number.MAX_SAFE_INTEGER);
      await process(...events);
      const firstIds = () => requests().map((r) => r.eventIds[0]);
      clock.advance(10_000);
      await settle();
      expect(firstIds()).toEqual([events[0]!.id, events[0]!.id, events[1]!.id]);
      clock.advance(10_000);
      await settle();
      expect(firstIds()).toEqual([events[0]!.id, events[0]!.id, events[1]!.id, events[2]!.id]);
      expect(new Set(requests().map((r) => r.runId)).size).toBe(3);
      expect(rateLimits.delayedRuns.size).toBe(0);
    });
  });

  it('fires custom-event triggers on events of their type from any source', async () => {
    define({ id: 'on-order', eventTypes: ['com.example.order.created'] });
    await process(
      webhookEvent({
        type: 'com.example.order.created',
        flintprovider: 'api',
        flintsourceid: 'api',
      }),
      webhookEvent({ type: 'com.example.order.created', flintsourceid: 'elsewhere' }),
    );
    expect(requests().map((r) => r.provider)).toEqual(['api', 'webhook']);
    expect(activityOf('on-order')).toEqual([2, 0, 0, 0]);
    // A plain event type is no source: only the webhook event is recorded, under its own source.
    expect(recentEvents()).toEqual([['elsewhere', 'com.example.order.created']]);
  });

  it('records custom events under each event source they reach, once', async () => {
    for (const id of ['orders', 'other-orders']) {
      index.setSource(
        id,
        storedSource({
          id,
          provider: 'event',
          config: { types: ['com.example.order.created'] },
        }),
      );
    }
    define({ id: 'on-order', sources: ['orders'] });
    define({ id: 'also-on-order', sources: ['orders', 'other-orders'] });
    define({ id: 'by-type', eventTypes: ['com.example.order.created'] });
    await process(
      webhookEvent({
        type: 'com.example.order.created',
        flintprovider: 'api',
        flintsourceid: 'api',
      }),
    );
    expect(recentEvents()).toEqual([
      ['orders', 'com.example.order.created'],
      ['other-orders', 'com.example.order.created'],
    ]);
    expect(activityOf('on-order')).toEqual([1, 0, 0, 0]);
    expect(activityOf('also-on-order')).toEqual([1, 0, 0, 0]);

    // A webhook event of that type counts for its own source and for the event sources it reached.
    activities = [];
    define({ id: 'on-push', sources: ['github-hook'] });
    index.setSource(
      'github-hook',
      storedSource({
        id: 'github-hook',
        provider: 'webhook',
        config: { path: 'github', auth: { type: 'none' } },
      }),
    );
    await process(
      webhookEvent({ type: 'com.example.order.created', flintsourceid: 'github-hook' }),
    );
    expect(recentEvents()).toEqual([
      ['github-hook', 'com.example.order.created'],
      ['orders', 'com.example.order.created'],
      ['other-orders', 'com.example.order.created'],
    ]);
  });

  it('archives each event with a decision per trigger: fired with its run, or why not', async () => {
    define({
      id: 'on-main',
      eventTypes: ['com.github.push'],
      condition: "event.data.ref == 'refs/heads/main'",
    });
    define({ id: 'tags', eventTypes: ['com.github.push'], match: { 'data.kind': 'tag' } });
    define({ id: 'per-ref', eventTypes: ['com.github.push'], dedupe: { key: 'event.data.ref' } });
    define({ id: 'digest', eventTypes: ['com.github.push'], batch: { size: 3 } });
    const first = webhookEvent({ data: { ref: 'refs/heads/main', kind: 'push' } });
    const second = webhookEvent({ data: { ref: 'refs/heads/dev', kind: 'push' } });
    const third = webhookEvent({ data: { ref: 'refs/heads/main', kind: 'push' } });
    await process(first, second, third);
    const decisionsOf = (event: CloudEvent) =>
      Object.fromEntries(
        (archived.find((entry) => entry.eventId === event.id)?.decisions ?? []).map((d) => [
          d.triggerId,
          d,
        ]),
      );
    const perRefRun = runIdForKey('per-ref', 'refs/heads/main', Date.parse(first.flintacceptedat));
    expect(decisionsOf(first)).toMatchObject({
      'on-main': {
        outcome: 'matched',
        triggerVersion: 1,
        runId: runIdForKey('on-main', first.id, Date.parse(first.flintacceptedat)),
      },
      tags: {
        outcome: 'match_differed',
        match: { field: 'data.kind', expected: '"tag"', got: '"push"' },
      },
      'per-ref': { outcome: 'matched', runId: perRefRun },
      digest: { outcome: 'batched', batchId: expect.any(String) },
    });
    expect(decisionsOf(second)['on-main']).toMatchObject({
      outcome: 'condition_false',
      condition: { evaluated: "'refs/heads/dev' == 'refs/heads/main'" },
    });
    // The third event's key was taken by the first in the same pass: it names that run.
    expect(decisionsOf(third)['per-ref']).toMatchObject({
      outcome: 'deduplicated',
      runId: perRefRun,
    });
    expect(archived.find((e) => e.eventId === first.id)?.fired).toEqual(['on-main', 'per-ref']);
    expect(archived.find((e) => e.eventId === second.id)?.fired).toEqual(['per-ref']);

    // A later pass: the window remembered in memory names the same run.
    await process(webhookEvent({ data: { ref: 'refs/heads/main', kind: 'push' } }));
    expect(archived.at(-1)?.decisions.find((d) => d.triggerId === 'per-ref')).toMatchObject({
      outcome: 'deduplicated',
      runId: perRefRun,
    });
  });

  it('explains the first misses of each trigger in a pass, within a total, and names the rest', async () => {
    define({ id: 'on-main', eventTypes: ['com.github.push'], condition: 'event.data.n < 0' });
    define({ id: 'tags', eventTypes: ['com.github.push'], match: { 'data.kind': 'tag' } });
    const events = Array.from({ length: EXPLAINED_MISSES.perTrigger + 2 }, () => webhookEvent());
    await process(...events);
    const decisions = (triggerId: string) =>
      archived.flatMap((entry) => entry.decisions.filter((d) => d.triggerId === triggerId));
    const explained = decisions('on-main').filter((d) => d.condition !== undefined);
    expect(explained).toHaveLength(EXPLAINED_MISSES.perTrigger);
    expect(decisions('on-main').at(-1)).toEqual({
      triggerId: 'on-main',
      triggerVersion: 1,
      outcome: 'condition_false',
      message: expect.stringContaining('the condition was false for the event (not explained'),
    });
    // Which part was false is still told: a match that differed is no false condition.
    expect(decisions('tags').at(-1)).toMatchObject({
      outcome: 'match_differed',
      message: expect.stringContaining('a match field differed for the event (not explained'),
    });
    expect(decisions('tags').at(-1)).not.toHaveProperty('match');
    // A new pass explains again.
    await process(webhookEvent());
    expect(archived.at(-1)?.decisions[0]).toHaveProperty('condition');

    // However many triggers miss, a pass explains at most the total.
    archived = [];
    const triggers = Math.ceil(EXPLAINED_MISSES.total / EXPLAINED_MISSES.perTrigger) + 2;
    for (let i = 0; i < triggers; i++) {
      define({ id: `never-${i}`, eventTypes: ['com.github.push'], condition: 'false' });
    }
    await process(...events);
    const all = archived.flatMap((entry) => entry.decisions);
    expect(all.filter((d) => d.condition !== undefined || d.match !== undefined)).toHaveLength(
      EXPLAINED_MISSES.total,
    );
  });

  it('opens the dedupe windows of rate-limited runs with the rest of the pass, in one call', async () => {
    define({
      id: 'limited',
      eventTypes: ['com.github.push'],
      rateLimit: { limit: 1, period: '1m' },
    });
    define({ id: 'plain', eventTypes: ['com.github.push'] });
    const opens = jest.spyOn(dedupeKeys, 'open');
    const events = [webhookEvent(), webhookEvent(), webhookEvent()];
    await process(...events);
    expect(opens).toHaveBeenCalledTimes(1);
    expect(opens.mock.calls[0]?.[0]).toHaveLength(6);
    const decisionOf = (event: CloudEvent) =>
      archived
        .find((entry) => entry.eventId === event.id)
        ?.decisions.find((d) => d.triggerId === 'limited');
    const runOf = (event: CloudEvent) =>
      runIdForKey('limited', event.id, Date.parse(event.flintacceptedat));
    expect(events.map(decisionOf)).toEqual([
      expect.objectContaining({ outcome: 'matched', runId: runOf(events[0]!) }),
      expect.objectContaining({ outcome: 'rate_limited', runId: runOf(events[1]!) }),
      expect.objectContaining({ outcome: 'rate_limited', runId: runOf(events[2]!) }),
    ]);
    expect(requests().map((r) => r.runId)).toContain(runOf(events[0]!));
    expect(requests().filter((r) => r.triggerId === 'limited')).toHaveLength(1);
    // The outcome known only after the reservation still counts in the metrics and activity.
    expect(tallies[0]?.count('rate_limited')).toBe(2);
    // A rate-limited event counts as dropped in the trigger's activity.
    expect(activityOf('limited')).toEqual([1, 2, 0, 0]);
  });

  it('keeps at most MAX_DECISIONS_PER_EVENT decisions per event and counts the rest', async () => {
    for (let i = 0; i < MAX_DECISIONS_PER_EVENT + 3; i++) {
      define({ id: `t-${i}`, eventTypes: ['com.github.push'] });
    }
    await process(webhookEvent());
    expect(archived[0]?.decisions).toHaveLength(MAX_DECISIONS_PER_EVENT);
    expect(archived[0]?.decisionsOmitted).toBe(3);
  });

  it('offers a replayed event to the trigger it names, less those its original fired', async () => {
    define({ id: 'a', eventTypes: ['com.github.push'], dedupe: { key: 'event.data.ref' } });
    define({ id: 'b', eventTypes: ['com.github.push'] });
    define({ id: 'c', eventTypes: ['com.github.push'] });
    const original = webhookEvent();
    await process(original);
    const replay = (attributes: Record<string, string>) =>
      webhookEvent({ data: original.data, flintreplayof: original.id, ...attributes });
    sent = [];
    await process(replay({ flintreplayskip: 'a,b' }));
    expect(requests().map((r) => r.triggerId)).toEqual(['c']);
    sent = [];
    await process(replay({ flintreplaytrigger: 'a' }));
    // Its key's window is the original's: a replay does not double the run.
    expect(archived.at(-1)?.decisions).toEqual([
      expect.objectContaining({ triggerId: 'a', outcome: 'deduplicated' }),
    ]);
    expect(archived.at(-1)?.replayOf).toBe(original.id);
    sent = [];
    const rerun = replay({ flintreplaytrigger: 'a', flintreplayrerun: 'true' });
    await process(rerun);
    expect(requests().map((r) => [r.triggerId, r.dedupeKey])).toEqual([['a', rerun.id]]);
  });

  it('believes replay marks only from events a Flint service produced', async () => {
    define({ id: 'a', eventTypes: ['com.github.push'] });
    const forged = webhookEvent({ flintreplayof: 'x', flintreplaytrigger: 'nobody' });
    await processor.process([consumed(forged, false)]);
    // Nobody's event reaches no trigger, and it is archived as it came, not as a replay.
    expect(archived.at(-1)).toMatchObject({ eventId: forged.id, decisions: [] });
    expect(archived.at(-1)).not.toHaveProperty('replayOf');
  });

  it('records rate limits, debounces and compound waits in the decisions', async () => {
    define({
      id: 'limited',
      eventTypes: ['com.github.push'],
      rateLimit: { limit: 1, period: '1m' },
    });
    define({
      id: 'held',
      eventTypes: ['com.github.push'],
      rateLimit: { limit: 1, period: '1m', onExceed: 'delay' },
    });
    define({ id: 'quiet', eventTypes: ['com.github.push'], debounce: { period: '1m' } });
    define({
      id: 'ship',
      sources: [{ id: 'orders', provider: 'event', config: { types: ['com.example.order'] } }],
      eventTypes: ['com.github.push'],
      logic: 'all',
      within: '1h',
    });
    const [first, second] = [webhookEvent(), webhookEvent()];
    await process(first, second);
    const decisionOf = (event: CloudEvent, triggerId: string) =>
      archived
        .find((entry) => entry.eventId === event.id)
        ?.decisions.find((d) => d.triggerId === triggerId);
    expect(decisionOf(second, 'limited')).toMatchObject({
      outcome: 'rate_limited',
      runId: expect.any(String),
    });
    expect(decisionOf(second, 'held')).toMatchObject({
      outcome: 'delayed',
      message: expect.stringMatching(/waits until \d{4}-/),
    });
    expect(decisionOf(first, 'quiet')).toMatchObject({
      outcome: 'debounced',
      batchId: expect.any(String),
    });
    expect(decisionOf(first, 'ship')).toMatchObject({ outcome: 'waiting' });
    expect(archived.find((entry) => entry.eventId === second.id)?.fired).toEqual(['held']);
  });
});
