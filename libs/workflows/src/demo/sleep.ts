import { defineWorkflow } from '@flint/sdk';

/** The longest nap `sleep` takes, so a typo cannot hold a runner slot for days. */
export const MAX_SLEEP_MS = 10 * 60 * 1000;

/**
 * Waits `input.ms` milliseconds (default 1000) and returns how long it slept: a workflow to try
 * timeouts with. Give the target a `timeoutMs` below `ms` and the run fails with `TimeoutError`.
 */
export const sleepWorkflow = defineWorkflow({
  name: 'sleep',
  description:
    'Waits input.ms milliseconds (default 1000, at most 10 minutes), then returns { sleptMs }.',
  async run(input, ctx) {
    const ms = sleepDuration(input);
    ctx.log(`sleeping ${ms} ms`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      ctx.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new SleepInterruptedError(`interrupted before ${ms} ms had passed`));
        },
        { once: true },
      );
    });
    return { sleptMs: ms };
  },
});

export class InvalidSleepInputError extends Error {}
export class SleepInterruptedError extends Error {}

function sleepDuration(input: unknown): number {
  const ms = (input as { ms?: unknown } | null | undefined)?.ms ?? 1000;
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
    throw new InvalidSleepInputError(
      `input.ms must be a whole number of milliseconds from 0 to ${MAX_SLEEP_MS}, got ${JSON.stringify(ms)}`,
    );
  }
  return ms;
}
