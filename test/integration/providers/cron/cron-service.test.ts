import { CRON_TICK_EVENT_TYPE, type CloudEvent, type CronTickData } from '@flint/contracts';
import { ProviderService } from '@flint/provider-sdk';
import type { RunningService } from '@flint/service-kit';
import { PostgresStore } from '@flint/store';
import { CRON_SLOTS_SKIPPED_METRIC } from '../../../../apps/providers/cron/src/firing/cron-metrics';
import { CronModule } from '../../../../apps/providers/cron/src/cron.module';
import { uniqueName, waitFor } from '../../../support/kafka';
import { postgresAvailable, testDatabaseUrl } from '../../../support/postgres';
import {
  type EventCollector,
  ProviderFixture,
  sourceMetric,
  stored,
  waitForFailures,
  waitForStatus,
} from '../../../support/provider-fixture';

function perSecondSource(id: string, config: Record<string, unknown> = {}) {
  return stored({
    kind: 'source',
    id,
    provider: 'cron',
    config: { schedule: '* * * * * *', timezone: 'UTC', misfire: 'skip', ...config },
  });
}

/** Two replicas need a database they can share: PostgreSQL, not the embedded one. */
const itWithPostgres = postgresAvailable() ? it : it.skip;

const slotOf = (event: CloudEvent) => Date.parse((event.data as CronTickData).scheduledTime);

/** The slots of a source's events, in order, failing on any slot seen twice. */
function uniqueSlots(events: CloudEvent[]): number[] {
  const ids = events.map((event) => event.id);
  expect(new Set(ids).size).toBe(ids.length);
  return events.map(slotOf).sort((a, b) => a - b);
}

function expectConsecutiveSeconds(slots: number[]): void {
  for (let i = 1; i < slots.length; i++) expect(slots[i] - slots[i - 1]).toBe(1000);
}

async function sourceRunning(service: RunningService, id: string): Promise<boolean> {
  const statuses = service.app.get(ProviderService).statuses();
  return statuses.some((status) => status.id === id && status.state === 'running');
}

describe('cron service', () => {
  let fixture: ProviderFixture;
  let collector: EventCollector;

  beforeAll(async () => {
    fixture = await ProviderFixture.create('cron');
    collector = await fixture.collect();
  });

  afterEach(() => fixture.reset());

  afterAll(() => fixture?.close());

  it('fires a real per-second schedule once per slot, on time, with scheduled and actual time', async () => {
    const id = uniqueName('every-second');
    await fixture.publish(perSecondSource(id, { payload: { job: 'heartbeat' } }));
    const service = await fixture.start('cron', (runtime) => CronModule.forRuntime(runtime));
    await collector.until(() => collector.ofSource(id).length >= 4, `4 ticks of ${id}`);
    await fixture.stopService(service);

    const events = collector.ofSource(id);
    const slots = uniqueSlots(events);
    expectConsecutiveSeconds(slots);
    for (const event of events) {
      const data = event.data as CronTickData;
      expect(event).toMatchObject({
        id: `${id}/${data.scheduledTime}`,
        type: CRON_TICK_EVENT_TYPE,
        source: id,
        flintsourceid: id,
        flintprovider: 'cron',
        time: data.scheduledTime,
      });
      expect(data).toMatchObject({
        schedule: '* * * * * *',
        timezone: 'UTC',
        missed: false,
        payload: { job: 'heartbeat' },
      });
      const lateness = Date.parse(data.actualTime) - Date.parse(data.scheduledTime);
      expect(lateness).toBeGreaterThanOrEqual(0);
      // Generous: the machine is loaded; the benchmark measures the real delay.
      expect(lateness).toBeLessThan(5000);
    }
  });

  itWithPostgres('fires each slot once across two replicas sharing the database', async () => {
    const id = uniqueName('two-replicas');
    const build = (runtime: Parameters<typeof CronModule.forRuntime>[0]) =>
      CronModule.forRuntime(runtime);
    const [a, b] = await Promise.all([fixture.start('cron', build), fixture.start('cron', build)]);
    await fixture.publish(perSecondSource(id));
    await waitFor(async () => (await sourceRunning(a, id)) && (await sourceRunning(b, id)), {
      description: `both replicas running ${id}`,
    });
    const firstCount = collector.ofSource(id).length;
    await collector.until(
      () => collector.ofSource(id).length >= firstCount + 8,
      `8 more ticks of ${id}`,
    );
    await Promise.all([fixture.stopService(a), fixture.stopService(b)]);

    const events = collector.ofSource(id);
    const slots = uniqueSlots(events);
    expectConsecutiveSeconds(slots);
    // Every slot fired is marked fired in the shared ledger, and no claim was left behind.
    const store = new PostgresStore({ url: testDatabaseUrl(), poolMax: 1 });
    try {
      const rows = await store.query<{ slot_time: Date; status: string }>(
        'SELECT slot_time, status FROM cron_slots WHERE source_id = $1 ORDER BY slot_time',
        [id],
      );
      expect(rows.every((row) => row.status === 'fired')).toBe(true);
      await collector.until(
        () => collector.ofSource(id).length >= rows.length,
        `the events of all ${rows.length} fired slots`,
      );
      expect(uniqueSlots(collector.ofSource(id))).toEqual(
        rows.map((row) => new Date(row.slot_time).getTime()),
      );
    } finally {
      await store.close();
    }
  });

  it('reports its fired slots as successes: up, with the time of the last one', async () => {
    const id = uniqueName('healthy');
    await fixture.publish(perSecondSource(id));
    const service = await fixture.start('cron', (runtime) => CronModule.forRuntime(runtime));
    await collector.until(() => collector.ofSource(id).length >= 2, `2 ticks of ${id}`);
    const status = await waitForStatus(
      service,
      id,
      (s) => s.lastSuccessAt !== undefined,
      'a successful pass',
    );
    expect(status).toMatchObject({ state: 'running', consecutiveFailures: 0 });
    expect(status.lastError).toBeUndefined();
    expect(await sourceMetric(service, 'flint_source_up', id)).toBe(1);
    expect(await sourceMetric(service, 'flint_source_failures_total', id)).toBe(0);
  });

  it('applies the misfire policy to slots missed while no replica ran', async () => {
    const id = uniqueName('misfire');
    const env = { FLINT_CRON_LATE_TOLERANCE_MS: '1000' };
    await fixture.publish(perSecondSource(id, { misfire: 'catch-up', maxCatchUp: 3 }));
    const build = (runtime: Parameters<typeof CronModule.forRuntime>[0]) =>
      CronModule.forRuntime(runtime);
    const first = await fixture.start('cron', build, env);
    await collector.until(() => collector.ofSource(id).length >= 2, `2 ticks of ${id}`);
    await fixture.stopService(first);
    const beforeDowntime = uniqueSlots(collector.ofSource(id));
    const lastBefore = beforeDowntime[beforeDowntime.length - 1];
    await waitFor(() => Date.now() > lastBefore + 7000, {
      description: 'seven seconds of downtime',
    });

    const second = await fixture.start('cron', build, env);
    await collector.until(
      (events) =>
        events.some(
          (event) =>
            event.flintsourceid === id &&
            slotOf(event) > Date.now() - 500 &&
            !(event.data as CronTickData).missed,
        ),
      `an on-time tick of ${id} after the restart`,
    );
    const after = collector
      .ofSource(id)
      .filter((event) => slotOf(event) > lastBefore)
      .sort((x, y) => slotOf(x) - slotOf(y));
    const missed = after.filter((event) => (event.data as CronTickData).missed);
    expect(missed).toHaveLength(3);
    expectConsecutiveSeconds(missed.map(slotOf));
    // Slots older than the three caught up were skipped: a gap after the last slot before downtime.
    const skipped = (slotOf(missed[0]) - lastBefore) / 1000 - 1;
    expect(skipped).toBeGreaterThan(0);
    uniqueSlots(collector.ofSource(id));
    const metric = await second.runtime.registry.getSingleMetric(CRON_SLOTS_SKIPPED_METRIC)?.get();
    expect(metric?.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { reason: 'catch-up-limit' }, value: skipped }),
        expect.objectContaining({ labels: { reason: 'skip' }, value: 0 }),
      ]),
    );

    // Deleted, the source forgets its schedule: created again, it would not catch up on the gap.
    const scheduleRows = () =>
      second.runtime.store.query(
        `SELECT 1 FROM provider_state WHERE provider = 'cron' AND source_id = $1`,
        [id],
      );
    expect(await scheduleRows()).toHaveLength(1);
    await fixture.removeAll();
    await waitFor(async () => (await scheduleRows()).length === 0, {
      description: 'the schedule record of the deleted source removed',
    });
  });
});

describe('cron service whose events Kafka refuses', () => {
  let fixture: ProviderFixture;

  // An events topic that takes nothing larger than 2 kB: every tick of a larger payload is refused.
  beforeAll(async () => {
    fixture = await ProviderFixture.create('cron-refused', { 'max.message.bytes': '2048' });
  });

  afterEach(() => fixture.reset());

  afterAll(() => fixture?.close());

  it('shows the schedule failing with the reason, each failed pass counted', async () => {
    const id = uniqueName('too-large');
    await fixture.publish(perSecondSource(id, { payload: { blob: 'x'.repeat(4096) } }));
    const service = await fixture.start('cron', (runtime) => CronModule.forRuntime(runtime));
    const status = await waitForFailures(service, id, 2);
    expect(status.state).toBe('running');
    expect(status.lastError).toMatch(/too large|larger/i);
  });
});
