import type { Log } from '@flint/common';
import { ManualClock } from '@flint/common/testing';
import type { CronMisfirePolicy } from '@flint/contracts';
import {
  CronSourceRunner,
  type CronSourceRunnerOptions,
  type SkippedSlotsReason,
  type Tick,
} from './cron-source-runner';
import { DEFAULT_MAX_CATCH_UP } from '../schedule/misfire-plan';
import { parseSchedule } from '@flint/provider-sdk';
import { slotJitterMs } from '../schedule/slot-jitter';
import { InMemorySlotLedger } from '../slots/testing/in-memory-slot-ledger';

const at = (iso: string) => new Date(iso).getTime();
const iso = (time: number) => new Date(time).toISOString();

interface LogEntry {
  level: string;
  message: string;
}

/** A runner on a manual clock with an in-memory ledger, recording what it fires and logs. */
class Harness {
  readonly clock: ManualClock;
  readonly ledger: InMemorySlotLedger;
  readonly ticks: Tick[] = [];
  readonly logs: LogEntry[] = [];
  readonly skipped: Array<{ reason: SkippedSlotsReason; count: number }> = [];
  /** What the runner reported to the source's health, pass by pass. */
  readonly outcomes: string[] = [];
  private readonly controllers: AbortController[] = [];
  private readonly running: Promise<void>[] = [];
  failNextFires = 0;

  constructor(start: string, ledger?: InMemorySlotLedger, clock?: ManualClock) {
    this.clock = clock ?? new ManualClock(start);
    this.ledger = ledger ?? new InMemorySlotLedger(this.clock);
  }

  readonly log: Log = (level, message) => {
    this.logs.push({ level, message });
  };

  start(options: Partial<CronSourceRunnerOptions> & { expression?: string; timezone?: string }) {
    const runner = new CronSourceRunner({
      sourceId: 'tick',
      schedule: parseSchedule(options.expression ?? '* * * * * *', options.timezone ?? 'UTC'),
      misfire: 'skip',
      maxCatchUp: DEFAULT_MAX_CATCH_UP,
      jitterMs: 0,
      definedAt: this.clock.now(),
      scheduleKey: 'every second',
      replicaId: 'replica-a',
      ledger: this.ledger,
      clock: this.clock,
      log: this.log,
      health: {
        succeeded: () => this.outcomes.push('succeeded'),
        failed: (reason) => this.outcomes.push(`failed: ${reason}`),
      },
      fire: async (tick) => {
        if (this.failNextFires > 0) {
          this.failNextFires -= 1;
          throw new Error('broker unavailable');
        }
        this.ticks.push(tick);
      },
      onSkipped: (reason, count) => this.skipped.push({ reason, count }),
      ...options,
    });
    const controller = new AbortController();
    this.controllers.push(controller);
    this.running.push(runner.run(controller.signal));
    return this.idle();
  }

  /** Waits until every runner is asleep again. */
  async idle(): Promise<void> {
    for (let i = 0; i < 10_000; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.clock.pendingSleeps >= this.controllers.length) return;
    }
    throw new Error('a runner never went back to sleep');
  }

  /** Moves the clock forward in steps, letting the runners act after each. */
  async advance(totalMs: number, stepMs = 1000): Promise<void> {
    for (let moved = 0; moved < totalMs; moved += stepMs) {
      this.clock.advance(Math.min(stepMs, totalMs - moved));
      await this.idle();
    }
  }

  async stop(): Promise<void> {
    for (const controller of this.controllers) controller.abort();
    await Promise.all(this.running);
  }

  scheduled(): string[] {
    return this.ticks.map((tick) => iso(tick.scheduled));
  }
}

describe('CronSourceRunner', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('fires a per-second schedule once per slot, with scheduled and actual time', async () => {
    harness = new Harness('2024-05-01T10:00:00.400Z');
    await harness.start({});
    await harness.advance(3000, 250);
    expect(harness.scheduled()).toEqual([
      '2024-05-01T10:00:01.000Z',
      '2024-05-01T10:00:02.000Z',
      '2024-05-01T10:00:03.000Z',
    ]);
    for (const tick of harness.ticks) {
      expect(tick.missed).toBe(false);
      expect(tick.actual).toBeGreaterThanOrEqual(tick.scheduled);
      expect(tick.actual - tick.scheduled).toBeLessThan(250);
    }
    expect(harness.ledger.slots('tick', 'fired').map(iso)).toEqual(harness.scheduled());
  });

  it('fires a daily local time once through the spring-forward and fall-back days', async () => {
    harness = new Harness('2024-03-29T12:00:00Z');
    await harness.start({ expression: '30 2 * * *', timezone: 'Europe/Berlin' });
    await harness.advance(4 * 86_400_000, 600_000);
    expect(harness.scheduled()).toEqual([
      '2024-03-30T01:30:00.000Z',
      '2024-03-31T01:30:00.000Z',
      '2024-04-01T00:30:00.000Z',
      '2024-04-02T00:30:00.000Z',
    ]);
    await harness.stop();

    harness = new Harness('2024-10-25T12:00:00Z');
    await harness.start({ expression: '30 2 * * *', timezone: 'Europe/Berlin' });
    await harness.advance(3 * 86_400_000, 600_000);
    expect(harness.scheduled()).toEqual([
      '2024-10-26T00:30:00.000Z',
      '2024-10-27T00:30:00.000Z',
      '2024-10-28T01:30:00.000Z',
    ]);
  });

  it('does not fire slots from before the definition existed', async () => {
    harness = new Harness('2024-05-01T10:00:30Z');
    await harness.start({
      expression: '* * * * *',
      misfire: 'catch-up',
      definedAt: at('2024-05-01T10:00:10Z'),
    });
    await harness.advance(60_000);
    expect(harness.scheduled()).toEqual(['2024-05-01T10:01:00.000Z']);
  });

  describe('after downtime', () => {
    // The last slot fired before the service went down; it comes back ten minutes and 30 s later.
    const lastFired = at('2024-05-01T10:00:00Z');
    const restart = '2024-05-01T10:10:30Z';
    const definedAt = at('2024-05-01T09:00:00Z');

    async function restartWith(misfire: CronMisfirePolicy, maxCatchUp = DEFAULT_MAX_CATCH_UP) {
      const restarted = new Harness(restart);
      await restarted.ledger.claim('tick', lastFired, 'replica-gone', 60_000);
      await restarted.ledger.markFired('tick', lastFired, 'replica-gone');
      await restarted.start({ expression: '* * * * *', misfire, maxCatchUp, definedAt });
      return restarted;
    }

    it('skip fires none of the missed slots, logs them, and fires the next slot on time', async () => {
      harness = await restartWith('skip');
      expect(harness.ticks).toEqual([]);
      expect(harness.logs).toContainEqual({
        level: 'warn',
        message:
          'skipped 10 missed slot(s) of cron source tick (misfire policy skip), up to 2024-05-01T10:10:00.000Z',
      });
      expect(harness.skipped).toEqual([{ reason: 'skip', count: 10 }]);
      await harness.advance(30_000);
      expect(harness.scheduled()).toEqual(['2024-05-01T10:11:00.000Z']);
      expect(harness.ticks[0].missed).toBe(false);
    });

    it('fire-once fires only the latest missed slot, marked as missed', async () => {
      harness = await restartWith('fire-once');
      expect(harness.skipped).toEqual([{ reason: 'fire-once', count: 9 }]);
      expect(harness.scheduled()).toEqual(['2024-05-01T10:10:00.000Z']);
      expect(harness.ticks[0]).toMatchObject({ missed: true, actual: at(restart) });
      await harness.advance(30_000);
      expect(harness.scheduled()).toEqual(['2024-05-01T10:10:00.000Z', '2024-05-01T10:11:00.000Z']);
    });

    it('catch-up fires every missed slot, oldest first', async () => {
      harness = await restartWith('catch-up');
      expect(harness.scheduled()).toEqual(
        Array.from({ length: 10 }, (_, i) => iso(lastFired + (i + 1) * 60_000)),
      );
      expect(harness.ticks.every((tick) => tick.missed)).toBe(true);
    });

    it('catch-up with a limit fires the latest slots and logs the skipped ones', async () => {
      harness = await restartWith('catch-up', 3);
      expect(harness.scheduled()).toEqual([
        '2024-05-01T10:08:00.000Z',
        '2024-05-01T10:09:00.000Z',
        '2024-05-01T10:10:00.000Z',
      ]);
      expect(harness.logs.map((entry) => entry.message)).toContainEqual(
        'skipped 7 missed slot(s) of cron source tick (misfire policy catch-up), all before 2024-05-01T10:08:00.000Z',
      );
      expect(harness.skipped).toEqual([{ reason: 'catch-up-limit', count: 7 }]);
    });

    it('keeps the misfire window when the definition changed during the downtime, but not the schedule', async () => {
      const restarted = new Harness(restart);
      await restarted.ledger.recordSchedule('tick', {
        scheduleKey: 'every minute',
        since: definedAt,
        definedAt,
        jitterMs: 0,
        previousJitterMs: 0,
      });
      await restarted.ledger.claim('tick', lastFired, 'replica-gone', 60_000);
      await restarted.ledger.markFired('tick', lastFired, 'replica-gone');
      harness = restarted;
      // Switched to catch-up at 10:05, while no replica ran.
      await harness.start({
        expression: '* * * * *',
        scheduleKey: 'every minute',
        misfire: 'catch-up',
        definedAt: at('2024-05-01T10:05:00Z'),
      });
      expect(harness.scheduled()).toEqual(
        Array.from({ length: 10 }, (_, i) => iso(lastFired + (i + 1) * 60_000)),
      );
    });

    it('starts a new window when the schedule changed', async () => {
      const restarted = new Harness(restart);
      await restarted.ledger.recordSchedule('tick', {
        scheduleKey: 'every hour',
        since: definedAt,
        definedAt,
        jitterMs: 0,
        previousJitterMs: 0,
      });
      harness = restarted;
      await harness.start({
        expression: '* * * * *',
        scheduleKey: 'every minute',
        misfire: 'catch-up',
        definedAt: at('2024-05-01T10:08:00Z'),
      });
      expect(harness.scheduled()).toEqual(['2024-05-01T10:09:00.000Z', '2024-05-01T10:10:00.000Z']);
    });

    it('counts skipped slots once when two replicas come back', async () => {
      harness = new Harness(restart);
      await harness.ledger.claim('tick', lastFired, 'replica-gone', 60_000);
      await harness.ledger.markFired('tick', lastFired, 'replica-gone');
      for (const replicaId of ['replica-a', 'replica-b']) {
        await harness.start({
          expression: '* * * * *',
          misfire: 'fire-once',
          definedAt,
          replicaId,
        });
      }
      expect(harness.scheduled()).toEqual(['2024-05-01T10:10:00.000Z']);
      expect(harness.skipped).toEqual([{ reason: 'fire-once', count: 9 }]);
    });

    it('fires nothing twice when restarted again', async () => {
      harness = await restartWith('catch-up');
      const clock = harness.clock;
      const ledger = harness.ledger;
      await harness.stop();
      harness = new Harness(restart, ledger, clock);
      await harness.start({ expression: '* * * * *', misfire: 'catch-up', definedAt });
      expect(harness.ticks).toEqual([]);
    });
  });

  it('fires each slot once when two replicas share the ledger', async () => {
    harness = new Harness('2024-05-01T10:00:00.500Z');
    const fired: Array<{ replica: string; slot: number }> = [];
    for (const replicaId of ['replica-a', 'replica-b']) {
      await harness.start({
        replicaId,
        fire: async (tick) => {
          fired.push({ replica: replicaId, slot: tick.scheduled });
        },
      });
    }
    await harness.advance(10_000, 500);
    const slots = fired.map((entry) => entry.slot);
    expect(slots.map(iso)).toEqual(
      Array.from({ length: 10 }, (_, i) => iso(at('2024-05-01T10:00:01Z') + i * 1000)),
    );
    expect(new Set(slots).size).toBe(slots.length);
  });

  it('handles a slot claimed by a replica that died before firing it through the misfire policy', async () => {
    harness = new Harness('2024-05-01T10:00:00Z');
    const orphan = at('2024-05-01T10:00:00Z');
    await harness.ledger.claim('tick', orphan, 'replica-died', 60_000);
    harness.clock.advance(90_000);
    await harness.start({ expression: '0 0 * * *', misfire: 'catch-up' });
    expect(harness.scheduled()).toEqual(['2024-05-01T10:00:00.000Z']);
    expect(harness.ledger.slots('tick', 'fired')).toEqual([orphan]);
  });

  it('leaves a fresh claim of another replica alone', async () => {
    harness = new Harness('2024-05-01T10:00:00Z');
    await harness.ledger.claim('tick', at('2024-05-01T10:00:05Z'), 'replica-b', 60_000);
    await harness.start({ expression: '*/5 * * * * *', misfire: 'catch-up' });
    await harness.advance(10_000);
    expect(harness.scheduled()).toEqual(['2024-05-01T10:00:10.000Z']);
  });

  it('retries a slot whose event could not be sent, and fires it once', async () => {
    harness = new Harness('2024-05-01T10:00:00.500Z');
    harness.failNextFires = 1;
    await harness.start({ timings: { retryDelayMs: 1000 } });
    await harness.advance(1000, 500);
    expect(harness.ticks).toEqual([]);
    expect(harness.logs.map((entry) => entry.message)).toContainEqual(
      'cron pass failed, retrying in 1000 ms: broker unavailable',
    );
    await harness.advance(1000, 500);
    expect(harness.scheduled()).toEqual(['2024-05-01T10:00:01.000Z', '2024-05-01T10:00:02.000Z']);
    expect(harness.ledger.slots('tick', 'fired').map(iso)).toEqual(harness.scheduled());
  });

  it("reports each pass to the source's health: failures in a row until one succeeds", async () => {
    harness = new Harness('2024-05-01T10:00:00.500Z');
    harness.failNextFires = 2;
    await harness.start({ timings: { retryDelayMs: 500 } });
    await harness.advance(3000, 500);
    const firstSuccess = harness.outcomes.indexOf('succeeded', 1);
    expect(harness.outcomes.slice(0, firstSuccess + 1)).toEqual([
      'succeeded',
      'failed: broker unavailable',
      'failed: broker unavailable',
      'succeeded',
    ]);
  });

  it('delays each slot by its jitter but reports the scheduled time', async () => {
    harness = new Harness('2024-05-01T10:00:30Z');
    await harness.start({ expression: '* * * * *', jitterMs: 20_000 });
    await harness.advance(3 * 60_000, 100);
    expect(harness.scheduled()).toEqual([
      '2024-05-01T10:01:00.000Z',
      '2024-05-01T10:02:00.000Z',
      '2024-05-01T10:03:00.000Z',
    ]);
    const delays = harness.ticks.map((tick) => tick.actual - tick.scheduled);
    for (const delay of delays) expect(delay).toBeLessThan(20_000 + 100);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });

  describe('when the definition changes while a slot waits for its jitter', () => {
    const slot = at('2024-05-01T11:00:00Z');
    const delay = slotJitterMs('tick', slot, 3_600_000);

    /** Runs an hourly schedule with a 1 h jitter until halfway to the 11:00 slot's delayed time. */
    async function waitingForJitter(): Promise<Harness> {
      const waiting = new Harness('2024-05-01T10:30:00Z');
      await waiting.start({
        expression: '0 * * * *',
        jitterMs: 3_600_000,
        definedAt: at('2024-05-01T10:30:00Z'),
      });
      await waiting.advance(slot + delay / 2 - at('2024-05-01T10:30:00Z'), 60_000);
      expect(waiting.ticks).toEqual([]);
      await waiting.stop();
      return waiting;
    }

    it('has a delay long enough to change the definition in', () => {
      expect(delay).toBeGreaterThan(10 * 60_000);
    });

    it('fires the slot at once, and once, when the jitter is removed', async () => {
      const before = await waitingForJitter();
      harness = new Harness('', before.ledger, before.clock);
      await harness.start({
        expression: '0 * * * *',
        jitterMs: 0,
        definedAt: before.clock.now(),
      });
      expect(harness.scheduled()).toEqual(['2024-05-01T11:00:00.000Z']);
      expect(harness.ticks[0].missed).toBe(false);
      expect(harness.skipped).toEqual([]);
      await harness.advance(3_600_000, 4_000);
      expect(harness.scheduled()).toEqual(['2024-05-01T11:00:00.000Z', '2024-05-01T12:00:00.000Z']);
    });

    it('fires the slot once, later, when the misfire policy and jitter change', async () => {
      const before = await waitingForJitter();
      harness = new Harness('', before.ledger, before.clock);
      await harness.start({
        expression: '0 * * * *',
        jitterMs: 3_000_000,
        misfire: 'fire-once',
        definedAt: before.clock.now(),
      });
      await harness.advance(3_600_000, 4_000);
      expect(harness.scheduled()).toEqual(['2024-05-01T11:00:00.000Z']);
      expect(harness.ticks[0].missed).toBe(false);
      expect(harness.ledger.slots('tick', 'skipped')).toEqual([]);
    });
  });

  it('starts afresh after the source was disabled and its schedule forgotten', async () => {
    harness = new Harness('2024-05-01T10:00:30Z');
    await harness.start({
      expression: '* * * * *',
      misfire: 'catch-up',
      definedAt: at('2024-05-01T10:00:00Z'),
    });
    await harness.advance(60_000);
    expect(harness.scheduled()).toEqual(['2024-05-01T10:01:00.000Z']);
    await harness.stop();
    // Disabled at 10:01:30; enabled again at 10:30:30 with the same schedule.
    await harness.ledger.forgetSchedule('tick');
    const { ledger, clock } = harness;
    clock.set('2024-05-01T10:30:30Z');
    harness = new Harness('', ledger, clock);
    await harness.start({
      expression: '* * * * *',
      misfire: 'catch-up',
      definedAt: clock.now(),
    });
    await harness.advance(30_000);
    expect(harness.scheduled()).toEqual(['2024-05-01T10:31:00.000Z']);
  });

  it('prunes old fired slots but keeps the latest', async () => {
    harness = new Harness('2024-05-01T10:00:00.500Z');
    await harness.start({
      timings: { retentionMs: 2_000, pruneEveryMs: 1_000 },
    });
    await harness.advance(6_000, 500);
    const kept = harness.ledger.slots('tick', 'fired');
    expect(kept.length).toBeLessThan(harness.ticks.length);
    expect(kept[kept.length - 1]).toBe(harness.ticks[harness.ticks.length - 1].scheduled);
  });

  describe('claiming ahead', () => {
    const slot = at('2024-05-01T10:00:10Z');

    it('claims the next slot claimAheadMs before it is due, and fires it when due', async () => {
      harness = new Harness('2024-05-01T10:00:00Z');
      await harness.start({ expression: '*/10 * * * * *' });
      await harness.advance(8_500, 500);
      expect(harness.ledger.slots('tick', 'claimed')).toEqual([]);
      await harness.advance(500, 500);
      expect(harness.ledger.rows.get('tick')?.get(slot)).toMatchObject({
        status: 'claimed',
        claimedBy: 'replica-a',
        claimedAt: at('2024-05-01T10:00:09Z'),
      });
      expect(harness.ticks).toEqual([]);
      await harness.advance(1_000, 500);
      expect(harness.ticks).toEqual([{ scheduled: slot, actual: slot, missed: false }]);
      expect(harness.ledger.slots('tick', 'fired')).toEqual([slot]);
    });

    it('gives the claim back when stopped before the slot is due', async () => {
      harness = new Harness('2024-05-01T10:00:00Z');
      await harness.start({ expression: '*/10 * * * * *' });
      await harness.advance(9_500, 500);
      expect(harness.ledger.slots('tick', 'claimed')).toEqual([slot]);
      await harness.stop();
      expect(harness.ledger.rows.get('tick')?.has(slot)).toBe(false);
      expect(harness.ticks).toEqual([]);
    });

    it('hands a slot claimed ahead to the misfire policy when it is woken too late for it', async () => {
      harness = new Harness('2024-05-01T10:00:00Z');
      await harness.start({ expression: '*/10 * * * * *', misfire: 'skip' });
      await harness.advance(9_500, 500);
      expect(harness.ledger.slots('tick', 'claimed')).toEqual([slot]);
      // The process stalls past the late tolerance between the claim and the slot.
      await harness.advance(21_000, 21_000);
      expect(harness.skipped).toEqual([{ reason: 'skip', count: 2 }]);
      expect(harness.scheduled()).toEqual(['2024-05-01T10:00:30.000Z']);
      // The skipped slot's claim is gone rather than left to go stale and be handled again.
      expect(harness.ledger.slots('tick', 'claimed')).toEqual([]);
      expect(harness.ledger.slots('tick', 'skipped')).toEqual([at('2024-05-01T10:00:20Z')]);
    });

    it('claims when due with claimAheadMs 0, and refuses one not below the claim timeout', async () => {
      harness = new Harness('2024-05-01T10:00:00Z');
      await harness.start({ expression: '*/10 * * * * *', timings: { claimAheadMs: 0 } });
      await harness.advance(9_500, 500);
      expect(harness.ledger.slots('tick', 'claimed')).toEqual([]);
      await harness.advance(500, 500);
      expect(harness.scheduled()).toEqual(['2024-05-01T10:00:10.000Z']);
      expect(() => harness?.start({ timings: { claimAheadMs: 60_000 } })).toThrow(
        'claimAheadMs must be at least 0 and below claimTimeoutMs (60000), got 60000',
      );
    });
  });
});
