import type { RunRequest } from '@flint/contracts';
import { defineWorkflow } from '@flint/workflows';
import { waitFor } from '../../support/kafka';
import { describeIfPostgres } from '../../support/postgres';
import { runRequest, RunnerTestBed } from './runner-harness';

/** How long each run of the `hold` workflow works: long enough for runs of one key to overlap. */
const HOLD_MS = 30;

/** What the `hold` workflow saw: how often each run began, and the most runs of a key at once. */
const begun = new Map<string, number>();
const running = new Map<string, number>();
const mostAtOnce = new Map<string, number>();

const hold = defineWorkflow({
  name: 'hold',
  run: async (input) => {
    const { runId, key } = input as { runId: string; key: string };
    begun.set(runId, (begun.get(runId) ?? 0) + 1);
    const now = (running.get(key) ?? 0) + 1;
    running.set(key, now);
    mostAtOnce.set(key, Math.max(mostAtOnce.get(key) ?? 0, now));
    await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
    running.set(key, (running.get(key) ?? 1) - 1);
    return null;
  },
});

/**
 * One runner reading four partitions of the runs topic, whose consumer works on a fetch's partitions
 * side by side: claims of different partitions run at once in one process, as they do across
 * replicas. Every run must still be started exactly once, and a concurrency key's limit must hold
 * across partitions (runs of one key have different ids, so they land on different partitions).
 * Each test's requests wait on all four partitions before a runner starts, so its first fetch holds
 * them all and their claims meet: sent to a running runner, the first partition to arrive would
 * claim each key's first run alone, and the rest would find the key busy whatever the claims did.
 */
describeIfPostgres('a runner on several partitions', () => {
  const bed = new RunnerTestBed('runner-partitions');
  bed.partitions = 4;

  beforeAll(async () => {
    await bed.setUp('runner_partitions');
  });

  afterAll(async () => {
    await bed.tearDown();
  });

  const holding = (key: string, extra: Partial<RunRequest> = {}): RunRequest => {
    const request = runRequest({
      target: { type: 'local', workflow: 'hold', timeoutMs: 60_000 },
      ...extra,
    });
    return { ...request, input: { runId: request.runId, key } };
  };

  /** Waits until each run reached one of the statuses; the runs' rows. */
  async function settled(requests: RunRequest[], statuses: string[]) {
    return waitFor(
      async () => {
        const runs = await Promise.all(requests.map((r) => bed.runs.history.get(r.runId)));
        return runs.every((run) => run !== undefined && statuses.includes(run.status))
          ? runs
          : undefined;
      },
      { timeoutMs: 120_000, description: `every run ${statuses.join(' or ')}` },
    );
  }

  /** How many STARTED events each run published. */
  function startedEvents(runId: string): number {
    return bed.statusEvents(runId).filter((event) => event.type === 'flint.run.started').length;
  }

  /** Sends the requests, then lets a runner handle them until each reached one of the statuses. */
  async function runAll(requests: RunRequest[], statuses: string[], repeat = false) {
    await bed.send(...requests, ...(repeat ? requests : []));
    expect(await partitionsWithRequests()).toBe(4);
    const runner = await bed.startRunner({ workflows: [hold] });
    try {
      return await settled(requests, statuses);
    } finally {
      await bed.stopRunner(runner);
    }
  }

  async function partitionsWithRequests(): Promise<number> {
    const admin = bed.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(bed.topics.runs);
      return offsets.filter((p) => Number(p.high) > 0).length;
    } finally {
      await admin.disconnect();
    }
  }

  it('starts each of many runs, each sent twice, exactly once', async () => {
    const requests = Array.from({ length: 120 }, (_, n) => holding(`free-${n}`));
    // A request and its repeat share a partition (keyed by run id) and a batch.
    const runs = await runAll(requests, ['SUCCEEDED'], true);
    expect(runs.every((run) => run?.attempts === 1)).toBe(true);
    for (const { runId } of requests) expect(begun.get(runId)).toBe(1);
    await waitFor(() => requests.every(({ runId }) => startedEvents(runId) >= 1), {
      description: 'every STARTED event published',
    });
    expect(requests.filter(({ runId }) => startedEvents(runId) !== 1)).toEqual([]);
  });

  it('runs one at a time per key across partitions (allowConcurrent: false, queue)', async () => {
    const concurrency = { allowConcurrent: false, onBusy: 'queue' } as const;
    const keys = Array.from({ length: 10 }, (_, n) => `one-${n}`);
    const requests = keys.flatMap((key) =>
      Array.from({ length: 4 }, () => holding(key, { concurrencyKey: key, concurrency })),
    );
    await runAll(requests, ['SUCCEEDED']);
    for (const key of keys) expect(mostAtOnce.get(key)).toBe(1);
    for (const { runId } of requests) expect(begun.get(runId)).toBe(1);
  });

  it('never has more than max runs of a key at once, skipping the rest (max: 2, skip)', async () => {
    const concurrency = { allowConcurrent: true, max: 2, onBusy: 'skip' } as const;
    const keys = Array.from({ length: 10 }, (_, n) => `two-${n}`);
    const requests = keys.flatMap((key) =>
      Array.from({ length: 6 }, () => holding(key, { concurrencyKey: key, concurrency })),
    );
    const runs = await runAll(requests, ['SUCCEEDED', 'SKIPPED']);
    for (const key of keys) {
      expect(mostAtOnce.get(key)).toBeLessThanOrEqual(2);
      const ofKey = runs.filter((run) => run?.concurrencyKey === key);
      // Sent at once, most find the key busy: at least one ran, and at least one was skipped.
      expect(ofKey.some((run) => run?.status === 'SUCCEEDED')).toBe(true);
      expect(ofKey.some((run) => run?.status === 'SKIPPED')).toBe(true);
    }
    for (const run of runs)
      expect(begun.get(run!.runId) ?? 0).toBe(run?.status === 'SKIPPED' ? 0 : 1);
  });
});
