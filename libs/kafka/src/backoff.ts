export interface RetryPolicy {
  /** Tries per batch, the first included, before the batch is handed back to kafkajs to replay. */
  attempts: number;
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, initialMs: 200, maxMs: 30_000 };

/**
 * Delay before retry number `retry` (1-based): doubling from `initialMs`, capped at `maxMs`, with up
 * to 20% taken off at random so replicas that failed together do not retry in lockstep.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random = Math.random): number {
  const exponential = policy.initialMs * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(policy.maxMs, exponential);
  return Math.round(capped * (1 - 0.2 * random()));
}

/**
 * Waits `ms`, calling `heartbeat` at least every `heartbeatEveryMs` so the consumer group does not
 * take the partitions away while a batch is backing off. Stops early when `shouldStop` turns true.
 */
export async function waitWithHeartbeat(
  ms: number,
  heartbeat: () => Promise<void>,
  shouldStop: () => boolean,
  heartbeatEveryMs = 1000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!shouldStop()) {
    const left = until - Date.now();
    if (left <= 0) return;
    await sleep(Math.min(left, heartbeatEveryMs));
    await heartbeat();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
