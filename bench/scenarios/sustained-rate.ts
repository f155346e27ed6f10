import type { BenchStack } from '../support/bench-stack';
import {
  type EchoLoad,
  emptySendSummary,
  sendAtRate,
  startedSince,
  waitForStarted,
} from '../support/echo-load';
import type { Measurement, ScenarioResult } from '../support/result';
import { round, sleep } from '../support/stats';

/** Issue 20: runs started per second, sustained, each service in its own process. */
export const SUSTAINED_GOAL = 2_000;

export interface SustainedRateOptions {
  rates: number[];
  sustainMs: number;
  /** Once a rate fails, rates between it and the last sustained are tried down to this gap. */
  refineToWithin: number;
  /** Longest wait for one rate's backlog to drain before the next rate is tried. */
  drainTimeoutMs: number;
}

interface RateAttempt {
  rate: number;
  achievedRate: number;
  accepted: number;
  backlogMiddle: number;
  backlogEnd: number;
  sustained: boolean;
  reason: string;
}

/**
 * The highest rate in `rates` the stack keeps up with for `sustainMs`: at each rate, in increasing
 * order, events are sent to the echo trigger and the backlog (events accepted minus runs STARTED) is
 * read in the middle of the window and at its end. A rate is sustained when the sender reached 95 %
 * of it, nothing was rejected, and the backlog grew by less than half a second's events over the
 * second half (the lag is not growing). The search stops at the first rate not sustained, then
 * halves the gap below it.
 */
export async function sustainedRate(
  stack: BenchStack,
  load: EchoLoad,
  options: SustainedRateOptions,
): Promise<ScenarioResult> {
  const began = Date.now();
  const attempts: RateAttempt[] = [];
  let n = 2_000_000;
  const tryRate = async (rate: number): Promise<{ sustained: boolean; drained: boolean }> => {
    const since = new Date();
    const summary = emptySendSummary(rate);
    const sending = sendAtRate(rate, options.sustainMs, () => load.send(n++), summary);
    await sleep(options.sustainMs / 2);
    const backlogMiddle = summary.accepted - (await startedSince(stack, since));
    await sending;
    const backlogEnd = summary.accepted - (await startedSince(stack, since));
    const achievedRate = summary.accepted / (summary.elapsedMs / 1000);
    const growth = backlogEnd - backlogMiddle;
    const problem =
      summary.rejected + summary.failed > 0
        ? `${summary.rejected} rejected, ${summary.failed} failed`
        : achievedRate < rate * 0.95
          ? `sender reached only ${round(achievedRate)}/s`
          : growth >= rate / 2
            ? `backlog grew by ${growth} over the second half`
            : undefined;
    const sustained = problem === undefined;
    attempts.push({
      rate,
      achievedRate: round(achievedRate),
      accepted: summary.accepted,
      backlogMiddle,
      backlogEnd,
      sustained,
      reason: problem ?? `backlog ${backlogMiddle} → ${backlogEnd}`,
    });
    const drained = await waitForStarted(stack, since, summary.accepted, options.drainTimeoutMs);
    return { sustained, drained };
  };

  let highest = 0;
  let lowestFailed: number | undefined;
  let drained = true;
  for (const rate of options.rates) {
    const attempt = await tryRate(rate);
    drained = attempt.drained;
    if (attempt.sustained) highest = rate;
    else lowestFailed = rate;
    if (!attempt.sustained || !drained) break;
  }
  // Halve the gap between the last rate sustained and the first not, while the stack drained
  // and the gap is wider than `refineToWithin`.
  while (
    drained &&
    lowestFailed !== undefined &&
    highest > 0 &&
    lowestFailed - highest > options.refineToWithin
  ) {
    const rate = Math.round((highest + lowestFailed) / 2);
    const attempt = await tryRate(rate);
    drained = attempt.drained;
    if (attempt.sustained) highest = rate;
    else lowestFailed = rate;
  }
  const seconds = Math.round(options.sustainMs / 1000);
  const measurements: Measurement[] = [
    {
      scenario: 'sustained',
      metric: `highest end-to-end rate sustained for ${seconds} s`,
      value: highest,
      unit: 'events/s',
      goal: `≥ ${SUSTAINED_GOAL}`,
      met: highest >= SUSTAINED_GOAL,
      note:
        highest > 0
          ? `tried ${attempts.map((a) => a.rate).join(', ')}/s`
          : 'no rate tried was sustained',
    },
    ...attempts.map((attempt) => ({
      scenario: 'sustained',
      metric: `${attempt.rate} events/s for ${seconds} s: backlog at the end`,
      value: attempt.backlogEnd,
      unit: 'events',
      note: `${attempt.sustained ? 'sustained' : 'not sustained'}: ${attempt.reason}; sent ${attempt.achievedRate}/s`,
    })),
  ];
  return {
    name: 'sustained',
    durationMs: Date.now() - began,
    measurements,
    details: { sustainMs: options.sustainMs, attempts },
  };
}
