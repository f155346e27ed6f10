import { type Clock, errorText, type Log } from '@flint/common';
import type { SourceHealth } from '@flint/provider-sdk';
import type { PollOutcome } from './poll-job';
import { PollError } from '../http/poll-fetcher';

export interface PollBackoff {
  initialMs: number;
  maxMs: number;
  /** The longest `Retry-After` honoured; a server asking for more is retried after this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_POLL_BACKOFF: PollBackoff = {
  initialMs: 1_000,
  maxMs: 5 * 60_000,
  maxRetryAfterMs: 60 * 60_000,
};

export interface PollerSourceRunnerOptions {
  poll: (signal: AbortSignal) => Promise<PollOutcome>;
  intervalMs: number;
  jitterMs: number;
  clock: Clock;
  log: Log;
  /** Where each poll's outcome goes: the source's status and `flint_source_up` (`ctx.health`). */
  health: Pick<SourceHealth, 'succeeded' | 'failed'>;
  backoff?: Partial<PollBackoff>;
  random?: () => number;
}

/**
 * Polls on an interval with random jitter. A failed poll is retried with exponential backoff with
 * jitter, never sooner than a `Retry-After` the server sent (429, 503). Every poll's outcome is
 * reported to the source's health: a source answered 404 on every poll shows as failing.
 */
export class PollerSourceRunner {
  private readonly backoff: PollBackoff;
  private readonly random: () => number;
  private failures = 0;

  constructor(private readonly options: PollerSourceRunnerOptions) {
    this.backoff = { ...DEFAULT_POLL_BACKOFF, ...options.backoff };
    this.random = options.random ?? Math.random;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const waitMs = await this.pollOnce(signal);
      await this.options.clock.sleep(waitMs, signal);
    }
  }

  /** Polls once; returns how long to wait before the next poll. */
  async pollOnce(signal: AbortSignal): Promise<number> {
    try {
      const outcome = await this.options.poll(signal);
      this.failures = 0;
      this.options.health.succeeded();
      if (outcome.emitted > 0) {
        this.options.log('debug', `polled ${outcome.pages} page(s), emitted ${outcome.emitted}`, {
          pages: outcome.pages,
          emitted: outcome.emitted,
        });
      }
      return this.options.intervalMs + Math.floor(this.random() * this.options.jitterMs);
    } catch (err) {
      if (signal.aborted) return 0;
      this.failures += 1;
      this.options.health.failed(errorText(err));
      const waitMs = this.retryDelay(err);
      this.options.log('warn', `poll failed, retrying in ${waitMs} ms: ${errorText(err)}`, {
        failures: this.failures,
        status: err instanceof PollError ? err.status : undefined,
      });
      return waitMs;
    }
  }

  private retryDelay(err: unknown): number {
    const { initialMs, maxMs, maxRetryAfterMs } = this.backoff;
    const ceiling = Math.min(maxMs, initialMs * 2 ** (this.failures - 1));
    // Jittered between half the ceiling and the ceiling: spread out, yet still backing off.
    const backoff = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    const asked = err instanceof PollError ? err.retryAfterMs : undefined;
    if (asked === undefined) return backoff;
    return Math.max(backoff, Math.min(asked, maxRetryAfterMs));
  }
}
