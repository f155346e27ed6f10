import type { Store } from '@flint/store';
import { SqlSlotLedger } from '../../../../../apps/providers/cron/src/slots/sql-slot-ledger';
import {
  describeEachStore,
  type OpenedStore,
  postgresBackend,
} from '../../../../support/store-backends';
import { describeIfPostgres } from '../../../../support/postgres';

const slot = Date.parse('2024-05-01T10:00:00Z');
const minute = 60_000;

async function statusOf(store: Store, sourceId: string, at: number) {
  const rows = await store.query<{ status: string; claimed_by: string }>(
    'SELECT status, claimed_by FROM cron_slots WHERE source_id = $1 AND slot_time = $2',
    [sourceId, new Date(at).toISOString()],
  );
  return rows[0];
}

describeEachStore('SqlSlotLedger', (backend) => {
  let opened: OpenedStore;
  let ledger: SqlSlotLedger;

  beforeAll(async () => {
    opened = await backend.open();
    ledger = new SqlSlotLedger(opened.store);
  });

  afterAll(async () => {
    await opened.dispose();
  });

  it('lets one claim of a slot win, marks it fired, and reports the watermark', async () => {
    expect(await ledger.watermark('a')).toBeUndefined();
    expect(await ledger.claim('a', slot, 'replica-1', minute)).toBe(true);
    expect(await ledger.claim('a', slot, 'replica-2', minute)).toBe(false);
    await ledger.markFired('a', slot, 'replica-1');
    expect(await statusOf(opened.store, 'a', slot)).toEqual({
      status: 'fired',
      claimed_by: 'replica-1',
    });
    expect(await ledger.claim('a', slot, 'replica-2', 0)).toBe(false);
    expect(await ledger.watermark('a')).toBe(slot);
  });

  it('answers each of many claims and marks made in one turn, a repeated slot losing', async () => {
    // One ledger per source on the same store, as the cron service has: their claims of one moment
    // share a statement; the repeat by another replica goes in one of its own, sent alongside.
    const sources = Array.from({ length: 50 }, (_, i) => `turn-${i}`);
    const ledgers = sources.map(() => new SqlSlotLedger(opened.store));
    const [claims, repeat] = await Promise.all([
      Promise.all(sources.map((id, i) => ledgers[i]?.claim(id, slot, 'replica-1', minute))),
      ledgers[0]?.claim('turn-0', slot, 'replica-2', minute),
    ]);
    // The two statements race for turn-0's slot: exactly one of them gets it.
    expect([claims[0], repeat].filter(Boolean)).toEqual([true]);
    expect(claims.slice(1)).toEqual(sources.slice(1).map(() => true));
    const holderOf = (i: number) => (i === 0 && repeat ? 'replica-2' : 'replica-1');
    await Promise.all(sources.map((id, i) => ledgers[i]?.markFired(id, slot, holderOf(i))));
    for (const [i, id] of sources.entries()) {
      expect(await statusOf(opened.store, id, slot)).toEqual({
        status: 'fired',
        claimed_by: holderOf(i),
      });
    }
  });

  it('hands a claim never fired to another replica once it is stale, and only then', async () => {
    expect(await ledger.claim('b', slot, 'replica-died', minute)).toBe(true);
    expect(await ledger.staleClaims('b', minute)).toEqual([]);
    expect(await ledger.claim('b', slot, 'replica-2', minute)).toBe(false);
    // Stale after 0 ms: any claim made before now.
    await opened.store.query('SELECT pg_sleep(0.01)');
    expect(await ledger.staleClaims('b', 0)).toEqual([slot]);
    expect(await ledger.claim('b', slot, 'replica-2', 0)).toBe(true);
    expect(await statusOf(opened.store, 'b', slot)).toEqual({
      status: 'claimed',
      claimed_by: 'replica-2',
    });
  });

  it('releases only our own unfired claim', async () => {
    await ledger.claim('c', slot, 'replica-1', minute);
    await ledger.release('c', slot, 'replica-2');
    expect(await statusOf(opened.store, 'c', slot)).toMatchObject({ status: 'claimed' });
    await ledger.release('c', slot, 'replica-1');
    expect(await statusOf(opened.store, 'c', slot)).toBeUndefined();
  });

  it('records skipped slots without overriding a fresh claim or a fired slot', async () => {
    await ledger.claim('d', slot, 'replica-1', minute);
    await ledger.claim('d', slot + minute, 'replica-1', minute);
    await ledger.markFired('d', slot + minute, 'replica-1');
    expect(
      await ledger.markSkipped('d', [slot, slot + minute, slot + 2 * minute], 'replica-2', minute),
    ).toEqual([slot + 2 * minute]);
    expect(await statusOf(opened.store, 'd', slot)).toMatchObject({ status: 'claimed' });
    expect(await statusOf(opened.store, 'd', slot + minute)).toMatchObject({ status: 'fired' });
    expect(await statusOf(opened.store, 'd', slot + 2 * minute)).toMatchObject({
      status: 'skipped',
    });
    await opened.store.query('SELECT pg_sleep(0.01)');
    await ledger.markSkipped('d', [slot], 'replica-2', 0);
    expect(await statusOf(opened.store, 'd', slot)).toMatchObject({ status: 'skipped' });
    expect(await ledger.watermark('d')).toBe(slot + 2 * minute);
  });

  it('keeps a schedule record per source until it is forgotten', async () => {
    const record = {
      scheduleKey: '["* * * * *","UTC"]',
      since: slot,
      definedAt: slot + minute,
      jitterMs: 1500,
      previousJitterMs: 0,
    };
    expect(await ledger.schedule('f')).toBeUndefined();
    await ledger.recordSchedule('f', record);
    await ledger.recordSchedule('f', { ...record, jitterMs: 2500, previousJitterMs: 1500 });
    expect(await ledger.schedule('f')).toEqual({
      ...record,
      jitterMs: 2500,
      previousJitterMs: 1500,
    });
    await ledger.forgetSchedule('f');
    expect(await ledger.schedule('f')).toBeUndefined();
  });

  it('prunes decided slots before a time but keeps claims', async () => {
    for (let i = 0; i < 5; i++) {
      await ledger.claim('e', slot + i * minute, 'replica-1', minute);
      if (i !== 1) await ledger.markFired('e', slot + i * minute, 'replica-1');
    }
    await ledger.prune('e', slot + 4 * minute);
    const rows = await opened.store.query<{ slot_time: Date }>(
      'SELECT slot_time FROM cron_slots WHERE source_id = $1 ORDER BY slot_time',
      ['e'],
    );
    expect(rows.map((row) => new Date(row.slot_time).getTime())).toEqual([
      slot + minute,
      slot + 4 * minute,
    ]);
  });
});

describeIfPostgres('SqlSlotLedger with concurrent replicas on PostgreSQL', () => {
  let opened: OpenedStore;

  beforeAll(async () => {
    opened = await postgresBackend.open();
  });

  afterAll(async () => {
    await opened.dispose();
  });

  it('gives each of 200 slots to exactly one of four racing replicas', async () => {
    const replicas = await Promise.all(
      [1, 2, 3, 4].map(async (n) => ({
        id: `replica-${n}`,
        ledger: new SqlSlotLedger(await opened.openReplica()),
      })),
    );
    const slots = Array.from({ length: 200 }, (_, i) => slot + i * 1000);
    const wins = await Promise.all(
      replicas.map(async (replica) => {
        const won: number[] = [];
        await Promise.all(
          slots.map(async (s) => {
            if (await replica.ledger.claim('race', s, replica.id, minute)) won.push(s);
          }),
        );
        return won;
      }),
    );
    const all = wins.flat().sort((a, b) => a - b);
    expect(all).toEqual(slots);
  });
});
