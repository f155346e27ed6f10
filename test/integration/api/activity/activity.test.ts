import { randomUUID } from 'node:crypto';
import type { RunningService } from '@flint/service-kit';
import { ActivityRepository, type RecentEvent } from '@flint/store';
import { call, createKey, createWebhookTrigger, startApi, testTopics } from '../api-harness';

const sfx = randomUUID().slice(0, 6);
const owner = `activity-${sfx}`;
const source = `hook-${sfx}`;
const trigger = `count-${sfx}`;
const MINUTE = 60_000;

const counts = (received: number, matched: number, dropped: number, duplicate = 0, errors = 0) => ({
  received,
  matched,
  dropped,
  duplicate,
  errors,
});

function recent(id: string, at: Date, data: string | undefined, truncated = false): RecentEvent {
  return {
    sourceId: source,
    eventId: id,
    type: 'com.example.push',
    time: at,
    acceptedAt: at,
    provider: 'webhook',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    ...(data === undefined ? {} : { dataExcerpt: data }),
    dataTruncated: truncated,
  };
}

describe('trigger activity and recent events over HTTP', () => {
  let api: RunningService;
  let activity: ActivityRepository;
  let minute: Date;
  const keys: Record<string, string> = {};
  const http = (method: string, path: string, options?: Parameters<typeof call>[3]) =>
    call(api.url, method, path, options);
  const bounds = (eventsPerSource = 100) => ({
    eventsPerSource,
    countsSince: new Date(Date.now() - 24 * 3_600_000),
  });

  beforeAll(async () => {
    api = await startApi(testTopics('activity'));
    activity = new ActivityRepository(api.runtime.store);
    await createWebhookTrigger(api.url, { owner, source, trigger });
    keys.otherOwner = await createKey(api.url, 'elsewhere', 'viewer', `elsewhere-${sfx}`);
    minute = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE);
  });

  afterAll(() => api.stop());

  it('sums the evaluator’s counts with the runs started and failed, per minute and in total', async () => {
    const next = new Date(minute.getTime() + MINUTE);
    // Two flushes (as from two evaluator replicas) add up in the same minute.
    await activity.record(
      {
        counts: [
          { triggerId: trigger, minute, ...counts(5, 3, 2) },
          { triggerId: trigger, minute: next, ...counts(2, 0, 0, 1, 1) },
          { triggerId: `unrelated-${sfx}`, minute, ...counts(9, 9, 0) },
        ],
        events: [],
      },
      bounds(),
    );
    await activity.record(
      { counts: [{ triggerId: trigger, minute, ...counts(1, 1, 0) }], events: [] },
      bounds(),
    );
    const started = new Date(minute.getTime() + 5000);
    await api.runtime.store.query(
      `INSERT INTO runs (run_id, trigger_id, trigger_version, owner, status, input, event_ids,
              requested_at, request, provider, accepted_at, target_type, started_at, finished_at,
              max_attempts)
       VALUES ($1, $2, 1, $3, $4, '{}', '{}', $5, '{}', 'webhook', $5, 'local', $5, $6, 1)`,
      [`${trigger}.a`, trigger, owner, 'SUCCEEDED', started, started],
    );
    await api.runtime.store.query(
      `INSERT INTO runs (run_id, trigger_id, trigger_version, owner, status, input, event_ids,
              requested_at, request, provider, accepted_at, target_type, started_at, finished_at,
              max_attempts)
       VALUES ($1, $2, 1, $3, 'FAILED', '{}', '{}', $4, '{}', 'webhook', $4, 'local', $4, $5, 1)`,
      [`${trigger}.b`, trigger, owner, started, new Date(next.getTime() + 1000)],
    );

    const stats = await http(
      'GET',
      `/api/triggers/${trigger}/stats?since=${minute.toISOString()}&until=${new Date(next.getTime() + MINUTE).toISOString()}`,
    );
    expect(stats.status).toBe(200);
    expect(stats.body).toEqual({
      triggerId: trigger,
      since: minute.toISOString(),
      until: new Date(next.getTime() + MINUTE).toISOString(),
      totals: { ...counts(8, 4, 2, 1, 1), started: 2, failed: 1 },
      series: [
        { minute: minute.toISOString(), ...counts(6, 4, 2), started: 2, failed: 0 },
        { minute: next.toISOString(), ...counts(2, 0, 0, 1, 1), started: 0, failed: 1 },
      ],
    });

    // The default range is the last hour, which holds all of it.
    const lastHour = await http('GET', `/api/triggers/${trigger}/stats`);
    expect(lastHour.body.totals).toEqual(stats.body.totals);
    expect(Date.parse(lastHour.body.until) - Date.parse(lastHour.body.since)).toBe(3_600_000);

    const before = await http(
      'GET',
      `/api/triggers/${trigger}/stats?until=${minute.toISOString()}`,
    );
    expect(before.body.series).toEqual([]);
  });

  it('drops counts older than the retention when it records', async () => {
    const old = new Date(minute.getTime() - 48 * 3_600_000);
    await activity.record(
      { counts: [{ triggerId: trigger, minute: old, ...counts(7, 7, 0) }], events: [] },
      { eventsPerSource: 100, countsSince: new Date(0) },
    );
    const range = `since=${new Date(old.getTime() - MINUTE).toISOString()}&until=${new Date(old.getTime() + MINUTE).toISOString()}`;
    expect(
      (await http('GET', `/api/triggers/${trigger}/stats?${range}`)).body.totals.received,
    ).toBe(7);
    await activity.record({ counts: [], events: [] }, bounds());
    expect(
      (await http('GET', `/api/triggers/${trigger}/stats?${range}`)).body.totals.received,
    ).toBe(0);
  });

  it('lists a source’s recent events newest first, keeping only the last N', async () => {
    const at = (n: number) => new Date(minute.getTime() + n * 1000);
    await activity.record(
      {
        counts: [],
        events: [recent('e1', at(1), '{"n":1}'), recent('e2', at(2), '{"n":2,"long":"xx', true)],
      },
      bounds(3),
    );
    await activity.record(
      {
        counts: [],
        events: [recent('e3', at(3), undefined), recent('e4', at(4), 'text\u0000end')],
      },
      bounds(3),
    );
    const listed = await http('GET', `/api/sources/${source}/events`);
    expect(listed.status).toBe(200);
    expect(listed.body.sourceId).toBe(source);
    expect(listed.body.items.map((e: { id: string }) => e.id)).toEqual(['e4', 'e3', 'e2']);
    expect(listed.body.items[0]).toEqual({
      id: 'e4',
      type: 'com.example.push',
      time: at(4).toISOString(),
      acceptedAt: at(4).toISOString(),
      provider: 'webhook',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      dataExcerpt: 'text\uFFFDend',
      dataTruncated: false,
    });
    expect(listed.body.items[1]).not.toHaveProperty('dataExcerpt');
    expect(listed.body.items[2]).toMatchObject({
      dataExcerpt: '{"n":2,"long":"xx',
      dataTruncated: true,
    });

    const one = await http('GET', `/api/sources/${source}/events?limit=1`);
    expect(one.body.items.map((e: { id: string }) => e.id)).toEqual(['e4']);
  });

  it('refuses bad ranges and limits, and hides other owners’ triggers and sources', async () => {
    const backwards = await http(
      'GET',
      `/api/triggers/${trigger}/stats?since=${new Date().toISOString()}&until=${minute.toISOString()}`,
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.issues).toEqual([
      { path: 'since', message: 'must be before until' },
    ]);
    const badDate = await http('GET', `/api/triggers/${trigger}/stats?since=today`);
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.issues[0].path).toBe('since');
    const badLimit = await http('GET', `/api/sources/${source}/events?limit=1000`);
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.error.issues[0].path).toBe('limit');

    expect((await http('GET', `/api/triggers/nope-${sfx}/stats`)).status).toBe(404);
    expect((await http('GET', `/api/sources/nope-${sfx}/events`)).status).toBe(404);
    const elsewhere = { key: keys.otherOwner };
    expect((await http('GET', `/api/triggers/${trigger}/stats`, elsewhere)).status).toBe(404);
    expect((await http('GET', `/api/sources/${source}/events`, elsewhere)).status).toBe(404);
  });
});
