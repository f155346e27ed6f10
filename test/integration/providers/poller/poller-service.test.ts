import type { CloudEvent } from '@flint/contracts';
import { PollerModule } from '../../../../apps/providers/poller/src/poller.module';
import { uniqueName, waitFor } from '../../../support/kafka';
import { SourceStatusRepository } from '@flint/store';
import {
  type EventCollector,
  ProviderFixture,
  sourceMetric,
  stored,
  waitForFailures,
  waitForStatus,
} from '../../../support/provider-fixture';
import { runReplicaThatCrashesBeforeSaving, savedState } from './crashing-replica';
import { TestApi } from './http/test-api';

const SECRET_ENV = { FLINT_SECRET_POLL_TOKEN: 'Bearer poll-secret' };

function pollerSource(id: string, url: string, config: Record<string, unknown> = {}) {
  return stored({
    kind: 'source',
    id,
    provider: 'poller',
    config: {
      url,
      intervalSeconds: 1,
      itemsPath: '$.data',
      itemKey: 'item.id',
      headers: { Authorization: { secretRef: 'poll-token' } },
      ...config,
    },
  });
}

const idsOf = (events: CloudEvent[]) =>
  events.map((event) => Number(event.id)).sort((a, b) => a - b);
const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('poller service', () => {
  let fixture: ProviderFixture;
  let collector: EventCollector;
  let api: TestApi;
  let base: string;

  beforeAll(async () => {
    fixture = await ProviderFixture.create('poller');
    collector = await fixture.collect();
  });

  beforeEach(async () => {
    api = new TestApi();
    base = await api.start();
  });

  afterEach(async () => {
    await fixture.reset();
    await api.stop();
  });

  afterAll(() => fixture?.close());

  const startPoller = (env: NodeJS.ProcessEnv = {}) =>
    fixture.start('poller', (runtime) => PollerModule.forRuntime(runtime), {
      ...SECRET_ENV,
      ...env,
    });

  it('pages until caught up, persists the cursor, and emits nothing twice after a restart', async () => {
    const id = uniqueName('paged');
    api.add(25);
    await fixture.publish(
      pollerSource(id, `${base}/paged`, {
        cursor: { from: 'next-page-token', path: '$.next', param: 'page' },
      }),
    );
    let service = await startPoller();
    await collector.until(() => collector.ofSource(id).length >= 25, `25 items of ${id}`);
    expect(idsOf(collector.ofSource(id))).toEqual(oneToN(25));
    const event = collector.ofSource(id)[0];
    expect(event).toMatchObject({
      type: 'flint.poller.item',
      flintprovider: 'poller',
      flintsourceid: id,
      subject: event.id,
      data: { id: Number(event.id), updated: Number(event.id) * 10 },
    });
    // The secret header went out on every request; the first page had no token, later ones did.
    const requests = api.requestsTo('/paged');
    expect(requests.every((request) => request.status === 200)).toBe(true);
    expect(requests.slice(0, 3).map((request) => request.query.page)).toEqual([
      undefined,
      '10',
      '20',
    ]);
    await waitFor(async () => (await savedState(service.runtime, id))?.cursor === '20', {
      description: 'the cursor saved',
    });

    await fixture.stopService(service);
    api.add(5);
    service = await startPoller();
    await collector.until(() => collector.ofSource(id).length >= 30, `30 items of ${id}`);
    // Let it poll a few more times: nothing may be emitted again.
    const polled = api.requestsTo('/paged').length;
    await waitFor(() => api.requestsTo('/paged').length >= polled + 3, {
      description: 'three more polls',
    });
    expect(idsOf(collector.ofSource(id))).toEqual(oneToN(30));
  });

  it('advances a max-field cursor and polls with If-None-Match, getting 304 while nothing changed', async () => {
    const id = uniqueName('since');
    api.add(3);
    await fixture.publish(
      pollerSource(id, `${base}/since`, {
        cursor: { from: 'max-field', field: 'item.updated', param: 'since' },
      }),
    );
    await startPoller();
    await collector.until(() => collector.ofSource(id).length >= 3, `3 items of ${id}`);
    await waitFor(() => api.requestsTo('/since').some((request) => request.status === 304), {
      description: 'a 304 Not Modified answer',
    });
    const notModified = api.requestsTo('/since').find((request) => request.status === 304);
    expect(notModified?.query.since).toBe('30');
    expect(notModified?.headers['if-none-match']).toMatch(/^"[0-9a-f]{16}"$/);

    api.add(2);
    await collector.until(() => collector.ofSource(id).length >= 5, `5 items of ${id}`);
    expect(idsOf(collector.ofSource(id))).toEqual(oneToN(5));
  });

  it('shows a source answered 404 on every poll as failing, in its status report and metrics', async () => {
    const id = uniqueName('missing');
    await fixture.publish(pollerSource(id, `${base}/missing`));
    const service = await startPoller();
    const status = await waitForFailures(service, id, 2);
    expect(status).toMatchObject({
      state: 'running',
      lastError: expect.stringContaining('answered 404'),
    });
    expect(status.lastSuccessAt).toBeUndefined();
    // What the API reads: the replica's report in the database.
    const statuses = new SourceStatusRepository(service.runtime.store);
    const [reported] = await waitFor(
      async () => {
        const rows = await statuses.fresh([id]);
        return (rows[0]?.consecutiveFailures ?? 0) >= 2 ? rows : undefined;
      },
      { description: 'the failures reported to the database' },
    );
    expect(reported).toMatchObject({
      provider: 'poller',
      state: 'running',
      lastError: expect.stringContaining('answered 404'),
    });
  });

  it('is up again after a successful poll, keeping the last error and its time', async () => {
    const id = uniqueName('recovers');
    api.add(1);
    api.scripted.push({ status: 500 });
    await fixture.publish(pollerSource(id, `${base}/paged`));
    const service = await startPoller();
    await collector.until(() => collector.ofSource(id).length >= 1, `the item of ${id}`);
    const status = await waitForStatus(
      service,
      id,
      (s) => s.lastSuccessAt !== undefined && s.consecutiveFailures === 0,
      'a successful poll',
    );
    expect(status.lastError).toContain('answered 500');
    expect(status.lastErrorAt!.getTime()).toBeLessThanOrEqual(status.lastSuccessAt!.getTime());
    expect(await sourceMetric(service, 'flint_source_up', id)).toBe(1);
    expect(await sourceMetric(service, 'flint_source_failures_total', id)).toBe(1);
  });

  it('backs off after 429, waiting at least as long as Retry-After says', async () => {
    const id = uniqueName('limited');
    api.add(2);
    api.scripted.push({ status: 429, headers: { 'retry-after': '2' } });
    await fixture.publish(pollerSource(id, `${base}/paged`));
    await startPoller();
    await collector.until(() => collector.ofSource(id).length >= 2, `2 items of ${id}`);
    const [limited, retried] = api.requestsTo('/paged');
    expect(limited.status).toBe(429);
    expect(retried.status).toBe(200);
    expect(retried.at - limited.at).toBeGreaterThanOrEqual(2000);
  });

  it('limits concurrent requests per host across sources', async () => {
    api.add(1);
    api.delayMs = 300;
    const ids = [uniqueName('host-a'), uniqueName('host-b'), uniqueName('host-c')];
    for (const id of ids) await fixture.publish(pollerSource(id, `${base}/paged`));
    await startPoller({ FLINT_POLLER_MAX_CONCURRENCY_PER_HOST: '1' });
    await collector.until(
      () => ids.every((id) => collector.ofSource(id).length >= 1),
      'an item from each of the three sources',
    );
    await waitFor(() => api.requestsTo('/paged').length >= 6, { description: 'six polls' });
    expect(api.maxInFlight).toBe(1);
  });

  it('loses no item when it crashes between emitting and saving the cursor', async () => {
    const id = uniqueName('crash');
    api.add(25);
    await fixture.publish(
      pollerSource(id, `${base}/paged`, {
        cursor: { from: 'next-page-token', path: '$.next', param: 'page' },
      }),
    );

    // A replica whose first cursor save never happens: it dies right after Kafka acknowledged page one.
    await runReplicaThatCrashesBeforeSaving(fixture, SECRET_ENV, () =>
      collector.until(() => collector.ofSource(id).length >= 10, `page one of ${id}`),
    );
    expect(idsOf(collector.ofSource(id))).toEqual(oneToN(10));

    const service = await startPoller();
    await collector.until(
      () => new Set(collector.ofSource(id).map((event) => event.id)).size >= 25,
      `all 25 items of ${id}`,
    );
    await waitFor(async () => (await savedState(service.runtime, id))?.cursor === '20', {
      description: 'the cursor saved by the new replica',
    });
    const ids = idsOf(collector.ofSource(id));
    expect([...new Set(ids)]).toEqual(oneToN(25));
    // Page one was emitted before the crash and again after it, with the same ids: duplicates, no gap.
    expect(ids.filter((n) => n <= 10)).toHaveLength(20);
    expect(ids.filter((n) => n > 10)).toHaveLength(15);
  });
});
