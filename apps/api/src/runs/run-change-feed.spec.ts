import type { RunRecord } from '@flint/store';
import { type RunFeedSubscriber, RunChangeFeed } from './run-change-feed';

const T0 = Date.parse('2026-05-01T12:00:00Z');

function run(runId: string, status: RunRecord['status'], updatedAt: number, owner = 'shop') {
  return {
    runId,
    triggerId: runId.split('.')[0]!,
    triggerVersion: 1,
    owner,
    status,
    attempts: status === 'REQUESTED' ? 0 : 1,
    requestedAt: new Date(T0),
    createdAt: new Date(T0),
    eventIds: ['e1'],
    updatedAt: new Date(updatedAt),
  } as unknown as RunRecord & { updatedAt: Date };
}

describe('RunChangeFeed', () => {
  let rows: Array<RunRecord & { updatedAt: Date }>;
  let asked: Date[];
  let feed: RunChangeFeed;
  const received = (filter: RunFeedSubscriber['filter'] = {}) => {
    const runs: string[] = [];
    let overflows = 0;
    const unsubscribe = feed.subscribe({
      filter,
      onRun: (r) => runs.push(`${r.runId}:${r.status}`),
      onOverflow: () => overflows++,
    });
    return { runs, overflows: () => overflows, unsubscribe };
  };

  beforeEach(() => {
    rows = [];
    asked = [];
    feed = new RunChangeFeed(
      {
        changedSince: async (since, limit) => {
          asked.push(since);
          return rows
            .filter((r) => r.updatedAt >= since)
            .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())
            .slice(0, limit);
        },
      },
      60_000,
      (err) => {
        throw err;
      },
      () => T0,
    );
  });

  afterEach(() => feed.close());

  it('sends each change once, though every poll re-reads a little', async () => {
    const all = received();
    rows.push(run('deploy.1', 'REQUESTED', T0 + 10));
    await feed.poll();
    await feed.poll();
    rows[0] = run('deploy.1', 'SUCCEEDED', T0 + 20);
    await feed.poll();
    expect(all.runs).toEqual(['deploy.1:REQUESTED', 'deploy.1:SUCCEEDED']);
    expect(asked[asked.length - 1]!.getTime()).toBe(T0 + 10 - 2000);
  });

  it('filters by owner, trigger and status per subscriber', async () => {
    const shop = received({ owner: 'shop' });
    const failed = received({ status: 'FAILED' });
    const label = received({ trigger: 'label' });
    rows.push(run('deploy.1', 'FAILED', T0 + 1), run('label.2', 'SUCCEEDED', T0 + 2, 'ops'));
    await feed.poll();
    expect(shop.runs).toEqual(['deploy.1:FAILED']);
    expect(failed.runs).toEqual(['deploy.1:FAILED']);
    expect(label.runs).toEqual(['label.2:SUCCEEDED']);
  });

  it('stops polling when the last subscriber leaves', () => {
    const a = received();
    const b = received();
    expect(feed.subscriberCount).toBe(2);
    a.unsubscribe();
    b.unsubscribe();
    expect(feed.subscriberCount).toBe(0);
  });

  it('tells subscribers when a burst is larger than it reads, and moves on', async () => {
    const all = received();
    for (let i = 0; i < 1001; i++) rows.push(run(`deploy.${i}`, 'REQUESTED', T0 + 1 + i));
    await feed.poll();
    expect(all.overflows()).toBe(1);
    expect(all.runs).toHaveLength(1000);
    await feed.poll();
    expect(all.runs).toHaveLength(1001);
  });
});
