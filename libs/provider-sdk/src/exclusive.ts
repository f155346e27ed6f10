import { type Clock, type Log, systemClock } from '@flint/common';
import type { Queryable } from '@flint/store';
import { Lease, type LeaseOptions } from '@flint/store';

export interface RunExclusiveOptions extends LeaseOptions {
  db: Queryable;
  /** Lease name, e.g. `file:/data/in` or `poller:<source id>`. */
  name: string;
  /** This replica's id (`SourceContext.replicaId`). */
  holder: string;
  /** Stops waiting for (or holding) the lease; `runExclusive` returns once `fn` has returned. */
  signal: AbortSignal;
  log?: Log;
  /** How often a renewal happens and a replica waiting for the lease tries again; default ttl / 3. */
  checkEveryMs?: number;
  clock?: Clock;
}

/**
 * Runs `fn` only while this replica holds the named lease, so the work runs on exactly one replica.
 * Waits while another replica holds it; renews it in the background; aborts `fn`'s signal if the
 * lease is lost (renewal refused, or the database unreachable until the lease would have expired)
 * and then waits for it again. Releases the lease when `fn` returns or `signal` is aborted.
 * Resolves when `fn` returns on its own or after `signal` is aborted; rejects when `fn` throws.
 */
export async function runExclusive(
  options: RunExclusiveOptions,
  fn: (signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const lease = new Lease(options.db, options.name, options.holder, options);
  const clock = options.clock ?? systemClock;
  const checkEveryMs = options.checkEveryMs ?? Math.max(1, Math.floor(lease.ttlMs / 3));
  const { signal, log } = options;
  while (!signal.aborted) {
    if (!(await tryAcquire(lease, log))) {
      await clock.sleep(checkEveryMs, signal);
      continue;
    }
    log?.('info', `acquired lease ${lease.name}`, { lease: lease.name });
    const outcome = await holdWhile(lease, clock, checkEveryMs, signal, fn, log);
    if (outcome === 'finished') return;
  }
}

async function tryAcquire(lease: Lease, log: Log | undefined): Promise<boolean> {
  try {
    return await lease.tryAcquire();
  } catch (err) {
    log?.('warn', `could not claim lease ${lease.name}: ${String(err)}`, { lease: lease.name });
    return false;
  }
}

/** Runs `fn` under the lease; 'lost' when the lease went away before `fn` finished on its own. */
async function holdWhile(
  lease: Lease,
  clock: Clock,
  checkEveryMs: number,
  outer: AbortSignal,
  fn: (signal: AbortSignal) => Promise<void>,
  log: Log | undefined,
): Promise<'finished' | 'lost'> {
  const held = new AbortController();
  const onOuterAbort = () => held.abort(outer.reason);
  outer.addEventListener('abort', onOuterAbort, { once: true });
  let lost = false;
  const renewing = keepRenewed(lease, clock, checkEveryMs, held.signal, log).then((kept) => {
    if (!kept && !held.signal.aborted) {
      lost = true;
      log?.('warn', `lost lease ${lease.name}; stopping until it can be claimed again`, {
        lease: lease.name,
      });
      held.abort(new Error(`lease ${lease.name} lost`));
    }
  });
  try {
    await fn(held.signal);
  } finally {
    outer.removeEventListener('abort', onOuterAbort);
    if (!held.signal.aborted) held.abort();
    await renewing;
    if (!lost) await release(lease, log);
  }
  return lost && !outer.aborted ? 'lost' : 'finished';
}

/** Renews until `signal` is aborted (true) or the lease is lost (false). */
async function keepRenewed(
  lease: Lease,
  clock: Clock,
  checkEveryMs: number,
  signal: AbortSignal,
  log: Log | undefined,
): Promise<boolean> {
  let heldUntil = Date.now() + lease.ttlMs;
  while (!signal.aborted) {
    await clock.sleep(checkEveryMs, signal);
    if (signal.aborted) return true;
    const attemptedAt = Date.now();
    try {
      if (!(await lease.renew())) return false;
      heldUntil = attemptedAt + lease.ttlMs;
    } catch (err) {
      log?.('warn', `could not renew lease ${lease.name}: ${String(err)}`, { lease: lease.name });
      // Another replica may take the lease once it expires by database time; stop before then.
      if (Date.now() + checkEveryMs >= heldUntil) return false;
    }
  }
  return true;
}

async function release(lease: Lease, log: Log | undefined): Promise<void> {
  try {
    await lease.release();
  } catch (err) {
    log?.('warn', `could not release lease ${lease.name}; it expires in ${lease.ttlMs} ms`, {
      lease: lease.name,
      error: String(err),
    });
  }
}
