import { join } from 'node:path';
import { DEFAULT_FUNCTION_EVENT_TYPE } from '@flint/contracts';
import { openStore, PollHistoryRepository, type Store, storeConfigFromEnv } from '@flint/store';
import { PollerModule } from '../../../../../apps/providers/poller/src/poller.module';
import { contextKey } from '../../../../../apps/providers/poller/src/function/context-key';
import { uniqueName, waitFor } from '../../../../support/kafka';
import { describeIfPostgres, testDatabaseUrl } from '../../../../support/postgres';
import { type EventCollector, ProviderFixture, stored } from '../../../../support/provider-fixture';

const FIXTURES = join(__dirname, '..', '..', '..', '..', 'fixtures', 'user-code');
const FUNCTIONS = join(FIXTURES, 'functions');

function functionSource(id: string, fn: string, extra: Record<string, unknown> = {}) {
  return stored({ kind: 'source', id, provider: 'function', config: { function: fn, ...extra } });
}

describeIfPostgres('poller: poll functions (provider: function)', () => {
  let fixture: ProviderFixture;
  let collector: EventCollector;
  let store: Store;

  beforeAll(async () => {
    fixture = await ProviderFixture.create('function-poller');
    collector = await fixture.collect();
    store = await openStore(storeConfigFromEnv({ DATABASE_URL: testDatabaseUrl() }));
  });

  afterEach(() => fixture.reset());

  afterAll(async () => {
    await fixture?.close();
    await store?.close();
  });

  const startPoller = () =>
    fixture.start('poller', (runtime) => PollerModule.forRuntime(runtime), {
      FLINT_FUNCTIONS_DIR: FUNCTIONS,
    });

  it('fires one event per context, keeps the state across a restart, and survives functions that throw, hang and leak', async () => {
    const counter = uniqueName('counter');
    const [throws, hangs, leaks] = ['throws', 'hangs', 'leaks'].map((fn) => uniqueName(fn));
    await fixture.publish(functionSource(counter, 'counter', { interval: '300ms' }));
    await fixture.publish(functionSource(throws!, 'throws', { interval: '300ms' }));
    await fixture.publish(functionSource(hangs!, 'hangs', { interval: '300ms', timeout: '1s' }));
    await fixture.publish(functionSource(leaks!, 'leaks', { interval: '300ms' }));
    const poller = await startPoller();

    await collector.until(
      () => collector.ofSource(counter).length >= 3,
      'three polls of the counter',
      90_000,
    );
    const first = collector.ofSource(counter)[0]!;
    expect(first).toMatchObject({
      type: DEFAULT_FUNCTION_EVENT_TYPE,
      flintprovider: 'function',
      subject: contextKey({ polls: 1 }),
      data: { polls: 1 },
    });
    // The misbehaving functions failed their polls; the service and its other source kept going.
    expect((await fetch(`${poller.url}/health/live`)).status).toBe(200);
    for (const id of [throws, hangs, leaks]) expect(collector.ofSource(id!)).toEqual([]);
    // Each poll's outcome is in the poll history, failures with their type.
    const history = new PollHistoryRepository(store);
    const failedWith = async (id: string) =>
      waitFor(async () => (await history.list(id)).find((p) => p.outcome === 'failed')?.error, {
        timeoutMs: 90_000,
        description: `a failed poll of ${id} in the history`,
      });
    expect((await failedWith(throws!)).type).toBe('InboxUnreachableError');
    expect((await failedWith(hangs!)).type).toBe('TimeoutError');
    expect((await failedWith(leaks!)).type).toBe('OutOfMemoryError');
    expect((await history.list(counter))[0]).toMatchObject({ outcome: 'fired', fired: 1 });

    await fixture.stopService(poller);
    const before = Math.max(
      ...collector.ofSource(counter).map((e) => (e.data as { polls: number }).polls),
    );
    await startPoller();
    await collector.until(
      () => collector.ofSource(counter).some((e) => (e.data as { polls: number }).polls > before),
      'a poll after the restart',
      90_000,
    );
    const polls = collector.ofSource(counter).map((e) => (e.data as { polls: number }).polls);
    // Counting went on from the persisted state: no second poll number 1.
    expect(polls.filter((n) => n === 1)).toHaveLength(1);
  });

  it('without allowConcurrent, fires a context again only once the run it started has finished', async () => {
    const source = uniqueName('same-job');
    await fixture.publish(functionSource(source, 'same-job'));
    await startPoller();
    await collector.until(() => collector.ofSource(source).length >= 2, 'two polls of same-job');
    // No run claimed the event yet: every poll sends the same event id, which starts one run.
    const ids = () => [...new Set(collector.ofSource(source).map((e) => e.id))];
    expect(ids()).toHaveLength(1);
    const firstId = ids()[0]!;

    const runId = `${uniqueName('t')}.run`;
    // A whole row, as the runner's claim writes it: these tests share the database with the API's,
    // whose run listing reads every column the runner always fills.
    await store.query(
      `INSERT INTO runs (run_id, trigger_id, trigger_version, owner, status, event_ids, max_attempts,
              request)
       VALUES ($1, 't', 1, 'default', 'STARTED', ARRAY[$2], 1, '{}')`,
      [runId, firstId],
    );
    const seen = collector.ofSource(source).length;
    // While the run is going the context is skipped (polls every 200 ms; wait a good few of them).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(collector.ofSource(source).length).toBe(seen);
    expect(ids()).toEqual([firstId]);

    await store.query(`UPDATE runs SET status = 'SUCCEEDED' WHERE run_id = $1`, [runId]);
    await waitFor(() => ids().length === 2, { description: 'a new event once the run finished' });
    expect(collector.ofSource(source).at(-1)).toMatchObject({
      subject: contextKey({ job: 'nightly-report' }),
      data: { job: 'nightly-report' },
    });
  });

  it('refuses to boot with a folder that holds no poll functions, naming the file', async () => {
    await expect(
      fixture.start('poller', (runtime) => PollerModule.forRuntime(runtime), {
        FLINT_FUNCTIONS_DIR: join(FIXTURES, 'workflows'),
      }),
    ).rejects.toThrow(/FLINT_FUNCTIONS_DIR: .*\n.*greet\.ts: exports no poll function/);
  });
});
