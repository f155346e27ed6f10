import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Run ids are derived from what caused the run, never drawn at random: a run request replayed after a
 * crash, a rebalance or a redelivery carries the same id, and the runner's claim on that id in the
 * database is what makes a run start at most once.
 */

/**
 * What a run id looks like: the trigger id, a dot, and a token of letters, digits and dashes (the
 * runner's ids carry 32 hex digits there). Checked before a run id from outside reaches a query.
 */
export const RunIdSchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.[a-z0-9-]{1,128}$/,
    'must be a run id: <trigger id>.<token> (like "deploy-on-push.4f1c…")',
  );

/** Readable prefix plus 128 bits of SHA-256, well within RunRequest's 512 characters. */
function runId(triggerId: string, parts: readonly unknown[]): string {
  // JSON keeps the parts apart: no choice of separator inside a key can make two inputs collide.
  const digest = createHash('sha256')
    .update(JSON.stringify([triggerId, ...parts]))
    .digest('hex');
  return `${triggerId}.${digest.slice(0, 32)}`;
}

/**
 * The run id of a trigger's run for one dedupe key (the event id unless the trigger sets a key) in the
 * dedupe window that key opened when it was first seen, at `windowOpenedAt` (ms since the epoch). So
 * every event of the key inside that window gets the same id, and the key starts a new run once the
 * window has passed.
 */
export function runIdForKey(triggerId: string, dedupeKey: string, windowOpenedAt: number): string {
  if (!Number.isSafeInteger(windowOpenedAt)) {
    throw new Error(`a dedupe window opens at a whole number of ms, got ${windowOpenedAt}`);
  }
  return runId(triggerId, ['key-since', windowOpenedAt, dedupeKey]);
}

/** The run id of a run caused by several events (a batch or a compound match): order does not matter. */
export function runIdForEvents(triggerId: string, eventIds: readonly string[]): string {
  return runId(triggerId, ['events', ...[...new Set(eventIds)].sort()]);
}
