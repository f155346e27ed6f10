import { type Clock, systemClock } from './clock';
import { errorText } from './error-text';
import type { Log } from './log';

/** Delays that double from `initialMs` up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `retry` (1-based): doubling from `initialMs`, capped at `maxMs`, with up
 * to 20% taken off at random so replicas that failed together do not retry in lockstep.
 */
export function backoffDelay(retry: number, backoff: Backoff, random = Math.random): number {
  const exponential = backoff.initialMs * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(backoff.maxMs, exponential);
  return Math.round(capped * (1 - 0.2 * random()));
}

export interface KeepTryingOptions {
  /** Stops the retries (and the wait between two) at once. */
  signal: AbortSignal;
  backoff: Backoff;
  /** What is being tried, for the warning each failure logs: "could not <doing>; …". */
  doing: string;
  log: Log;
  /** Undoes what a failed attempt left half done, before the wait. */
  cleanUp?: () => Promise<void>;
  clock?: Clock;
}

/**
 * Runs `attempt` until it succeeds or `signal` aborts, logging each failure and backing off between
 * tries: how a service connects to Kafka while the broker may still be starting. Resolves true once
 * an attempt succeeded, false when stopped first.
 */
export async function keepTrying(
  attempt: () => Promise<void>,
  options: KeepTryingOptions,
): Promise<boolean> {
  const clock = options.clock ?? systemClock;
  for (let failures = 0; !options.signal.aborted;) {
    try {
      await attempt();
      return !options.signal.aborted;
    } catch (err) {
      failures++;
      const delayMs = backoffDelay(failures, options.backoff);
      options.log('warn', `could not ${options.doing}; trying again in ${delayMs} ms`, {
        error: errorText(err),
      });
      await options.cleanUp?.().catch(() => undefined);
      await clock.sleep(delayMs, options.signal);
    }
  }
  return false;
}
