import { randomUUID } from 'node:crypto';
import { cronTickEventId } from '@flint/contracts';
import type { RunningService } from '@flint/service-kit';
import type { Consumer } from 'kafkajs';
import { uniqueName, waitFor } from '../../../support/kafka';
import { kafkaForTest } from '../../../support/kafka-client';
import { collectMessages, type ConsumedMessage } from '../../../support/service-test-bed';
import {
  call,
  createKey,
  readTopicUntil,
  startApi,
  type TestTopics,
  testTopics,
  webhookSource,
} from '../api-harness';

const sfx = randomUUID().slice(0, 8);
const FIVE_MINUTES = 5 * 60_000;

/** A cron source firing every five minutes, UTC, with a payload. */
const cronSource = (id: string) => ({
  kind: 'source',
  id,
  owner: 'team-a',
  provider: 'cron',
  config: { schedule: '*/5 * * * *', timezone: 'UTC', payload: { job: 'nightly' } },
});

/** trigger-now and backfill: the events they publish, and a backfill that fires each slot once. */
describe('schedules: POST /api/sources/{id}/trigger-now and /backfill', () => {
  let api: RunningService;
  let topics: TestTopics;
  let collector: Consumer;
  const events: ConsumedMessage[] = [];
  const tick = (message: ConsumedMessage) =>
    JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>;
  const source = `cron-${sfx}`;
  // Three whole five-minute slots an hour ago.
  const first = Math.floor((Date.now() - 3_600_000) / FIVE_MINUTES) * FIVE_MINUTES;
  const slot = (n: number) => new Date(first + n * FIVE_MINUTES).toISOString();

  beforeAll(async () => {
    topics = testTopics('schedules');
    api = await startApi(topics);
    expect((await call(api.url, 'POST', '/api/sources', { body: cronSource(source) })).status).toBe(
      201,
    );
    await readTopicUntil(topics.events, () => true, 'the events topic');
    collector = await collectMessages(kafkaForTest(), [topics.events], uniqueName('sched'), (m) =>
      events.push(m),
    );
  });

  afterAll(async () => {
    await collector?.disconnect();
    await api.stop();
  });

  it('fires a cron source now: an event of its own, marked manual', async () => {
    const fired = await call(api.url, 'POST', `/api/sources/${source}/trigger-now`);
    expect(fired.status).toBe(202);
    expect(fired.body).toMatchObject({ sourceId: source });
    expect(fired.body.eventId).toMatch(new RegExp(`^${source}/manual/[0-9a-f-]{36}$`));
    const again = await call(api.url, 'POST', `/api/sources/${source}/trigger-now`);
    expect(again.body.eventId).not.toBe(fired.body.eventId);

    const [one, two] = await waitFor(
      () => {
        const manual = events.filter((m) => m.headers.ce_id?.startsWith(`${source}/manual/`));
        return manual.length >= 2 ? manual : undefined;
      },
      { description: 'both manual ticks' },
    );
    expect(one?.headers).toMatchObject({
      ce_id: fired.body.eventId,
      ce_type: 'flint.cron.tick',
      ce_flintprovider: 'cron',
      ce_flintsourceid: source,
    });
    expect(tick(one as ConsumedMessage)).toMatchObject({
      manual: true,
      missed: false,
      payload: { job: 'nightly' },
      schedule: '*/5 * * * *',
      timezone: 'UTC',
    });
    expect(two?.headers.ce_id).toBe(again.body.eventId);
  });

  it('backfills the slots of a range once, leaving those fired alone and firing skipped ones', async () => {
    // The schedule fired slot 1; the misfire policy skipped slot 2.
    await api.runtime.store.query(
      `INSERT INTO cron_slots (source_id, slot_time, claimed_by, status, fired_at)
       VALUES ($1, $2, 'cron-replica', 'fired', now()), ($1, $3, 'cron-replica', 'skipped', NULL)`,
      [source, slot(1), slot(2)],
    );
    const range = { from: slot(0), to: slot(3) };
    const backfill = await call(api.url, 'POST', `/api/sources/${source}/backfill`, {
      body: range,
    });
    expect(backfill.status).toBe(200);
    expect(backfill.body).toEqual({
      sourceId: source,
      fired: [0, 2, 3].map((n) => ({
        slot: slot(n),
        eventId: cronTickEventId(source, new Date(slot(n))),
      })),
      alreadyFired: [slot(1)],
    });

    const again = await call(api.url, 'POST', `/api/sources/${source}/backfill`, { body: range });
    expect(again.body).toEqual({
      sourceId: source,
      fired: [],
      alreadyFired: [0, 1, 2, 3].map(slot),
    });

    const ids = [0, 2, 3].map((n) => cronTickEventId(source, new Date(slot(n))));
    const backfilled = await waitFor(
      () => {
        const seen = events.filter((m) => ids.includes(m.headers.ce_id ?? ''));
        return seen.length >= ids.length ? seen : undefined;
      },
      { description: 'the backfilled ticks' },
    );
    expect(backfilled.map((m) => m.headers.ce_id)).toEqual(ids);
    expect(backfilled.map(tick)).toEqual(
      [0, 2, 3].map((n) =>
        expect.objectContaining({ scheduledTime: slot(n), missed: true, manual: true }),
      ),
    );
  });

  it('refuses what cannot be fired, with the reason', async () => {
    const future = await call(api.url, 'POST', `/api/sources/${source}/backfill`, {
      body: { from: slot(0), to: new Date(Date.now() + 600_000).toISOString() },
    });
    expect(future.status).toBe(400);
    expect(future.body.error.issues).toEqual([
      { path: 'to', message: expect.stringContaining('must not be in the future') },
    ]);
    const reversed = await call(api.url, 'POST', `/api/sources/${source}/backfill`, {
      body: { from: slot(3), to: slot(0) },
    });
    expect(reversed.status).toBe(400);
    const tooMany = await call(api.url, 'POST', `/api/sources/${source}/backfill`, {
      body: { from: '2020-01-01T00:00:00Z', to: slot(0) },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.issues[0].message).toContain('more than 1000 slots');
    const missing = await call(api.url, 'POST', `/api/sources/${source}/backfill`, { body: {} });
    expect(missing.status).toBe(400);

    const hook = `hook-${sfx}`;
    await call(api.url, 'POST', '/api/sources', { body: webhookSource(hook) });
    const notCron = await call(api.url, 'POST', `/api/sources/${hook}/trigger-now`);
    expect(notCron.status).toBe(409);
    expect(notCron.body.error.code).toBe('not_a_cron_source');

    const idle = `cron-idle-${sfx}`;
    await call(api.url, 'POST', '/api/sources', { body: cronSource(idle) });
    await call(api.url, 'POST', `/api/sources/${idle}/disable`);
    const disabled = await call(api.url, 'POST', `/api/sources/${idle}/trigger-now`);
    expect(disabled.status).toBe(409);
    expect(disabled.body.error.code).toBe('source_disabled');

    expect((await call(api.url, 'POST', `/api/sources/nope-${sfx}/trigger-now`)).status).toBe(404);
    const viewer = await createKey(api.url, `sched-viewer-${sfx}`, 'viewer', 'team-a');
    const refused = await call(api.url, 'POST', `/api/sources/${source}/trigger-now`, {
      key: viewer,
    });
    expect(refused.status).toBe(403);
    const otherOwner = await createKey(api.url, `sched-editor-${sfx}`, 'editor', 'team-b');
    const hidden = await call(api.url, 'POST', `/api/sources/${source}/trigger-now`, {
      key: otherOwner,
    });
    expect(hidden.status).toBe(404);
  });
});
