import { type Backoff, systemClock } from '@flint/common';

/** How a consumer retries a batch whose handler failed. */
export interface RetryPolicy extends Backoff {
  /** Tries per batch, the first included, before the batch is handed back to kafkajs to replay. */
  attempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, initialMs: 200, maxMs: 30_000 };

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
    await systemClock.sleep(Math.min(left, heartbeatEveryMs));
    await heartbeat();
  }
}
