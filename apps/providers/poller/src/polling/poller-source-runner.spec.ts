import { ManualClock } from '@flint/common/testing';
import { PollError } from '../http/poll-fetcher';
import type { PollOutcome } from './poll-job';
import { PollerSourceRunner } from './poller-source-runner';

const ok: PollOutcome = { pages: 1, emitted: 0, notModified: false };

function runner(poll: () => Promise<PollOutcome>, random = () => 0.5) {
  const logs: string[] = [];
  const outcomes: string[] = [];
  const clock = new ManualClock('2024-05-01T10:00:00Z');
  const instance = new PollerSourceRunner({
    poll,
    intervalMs: 10_000,
    jitterMs: 2_000,
    clock,
    log: (_level, message) => logs.push(message),
    health: {
      succeeded: () => outcomes.push('succeeded'),
      failed: (reason) => outcomes.push(`failed: ${reason}`),
    },
    backoff: { initialMs: 1_000, maxMs: 8_000 },
    random,
  });
  return { instance, logs, outcomes, clock };
}

const signal = new AbortController().signal;

describe('PollerSourceRunner', () => {
  it('waits the interval plus a random share of the jitter after a poll', async () => {
    const { instance } = runner(
      async () => ok,
      () => 0.25,
    );
    expect(await instance.pollOnce(signal)).toBe(10_500);
  });

  it('backs off exponentially with jitter after failures, capped, and resets after success', async () => {
    let fail = true;
    const { instance, logs } = runner(
      async () => {
        if (fail) throw new PollError('GET https://api.example.com/items answered 500', 500);
        return ok;
      },
      () => 1,
    );
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push(await instance.pollOnce(signal));
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(logs[0]).toBe(
      'poll failed, retrying in 1000 ms: GET https://api.example.com/items answered 500',
    );
    fail = false;
    expect(await instance.pollOnce(signal)).toBe(12_000);
    fail = true;
    expect(await instance.pollOnce(signal)).toBe(1_000);
  });

  it("reports every poll to the source's health, so a source failing every poll shows it", async () => {
    let status = 404;
    const { instance, outcomes } = runner(async () => {
      if (status !== 200)
        throw new PollError(`GET https://api.example.com/items answered ${status}`, status);
      return ok;
    });
    await instance.pollOnce(signal);
    await instance.pollOnce(signal);
    status = 200;
    await instance.pollOnce(signal);
    expect(outcomes).toEqual([
      'failed: GET https://api.example.com/items answered 404',
      'failed: GET https://api.example.com/items answered 404',
      'succeeded',
    ]);
  });

  it('spreads retries between half the backoff and the full backoff', async () => {
    const { instance } = runner(
      async () => {
        throw new Error('connection refused');
      },
      () => 0,
    );
    expect(await instance.pollOnce(signal)).toBe(500);
  });

  it('waits at least as long as Retry-After asks', async () => {
    const { instance } = runner(async () => {
      throw new PollError('answered 429', 429, 30_000);
    });
    expect(await instance.pollOnce(signal)).toBe(30_000);
  });

  it('polls again after each wait until stopped', async () => {
    let polls = 0;
    const { instance, clock } = runner(
      async () => {
        polls += 1;
        return ok;
      },
      () => 0,
    );
    const controller = new AbortController();
    const running = instance.run(controller.signal);
    const idle = async () => {
      while (clock.pendingSleeps === 0) await new Promise((resolve) => setImmediate(resolve));
    };
    await idle();
    expect(polls).toBe(1);
    clock.advance(9_999);
    await idle();
    expect(polls).toBe(1);
    clock.advance(1);
    await idle();
    expect(polls).toBe(2);
    controller.abort();
    await running;
  });
});
