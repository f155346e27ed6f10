import { type Backoff, backoffDelay, errorText, type Log, WakeLoop } from '@flint/common';
import type { RunRequest, TargetType, WorkflowCancellation } from '@flint/contracts';
import type {
  CancellationTryOutcome,
  DueCancellation,
  RunCancellationRepository,
  RunRecord,
} from '@flint/store';
import type { RunnerMetrics } from '../runner-metrics';
import type { TargetCanceller } from '../targets/target-starter';
import { type AttemptOutcome, runError } from './attempt-outcome';

/** Tries per cancellation request before it is given up on (`failed`). */
export const CANCEL_TRIES = 10;
/** From 1 s, doubling, at most 5 min between tries: about 8 minutes in all. */
export const CANCEL_BACKOFF: Backoff = { initialMs: 1000, maxMs: 300_000 };

/**
 * The request that asks a run's remote workflow to stop, when there is one to send: the target
 * declares `cancel` and its start may have reached the engine (`reached`: the run was STARTED, or a
 * start was in flight when the cancel came). A run cancelled while queued or waiting for a retry
 * never reached the target, and a lost start (its runner died) is not known to have.
 */
export function cancellationToSend(
  run: Pick<RunRecord, 'runId' | 'triggerId'> & { request: Pick<RunRequest, 'target'> },
  reached: boolean,
  cancel: { reason: string; byEvent: string | undefined; at: Date },
): WorkflowCancellation | undefined {
  const { target } = run.request;
  if (!reached || target.type === 'local' || target.cancel === undefined) return undefined;
  return {
    runId: run.runId,
    triggerId: run.triggerId,
    ...(cancel.byEvent === undefined ? {} : { cancelledByEvent: cancel.byEvent }),
    reason: cancel.reason,
    cancelledAt: cancel.at.toISOString(),
  };
}

/**
 * What to record after try `tryNo`: delivered; a retryable failure with tries left waits with
 * backoff (or the target's Retry-After, bounded by the backoff's cap); anything else is final.
 */
export function cancellationTryOutcome(
  outcome: AttemptOutcome,
  tryNo: number,
  now: Date,
  random: () => number = Math.random,
): CancellationTryOutcome {
  const response = outcome.response ? { response: outcome.response } : {};
  if (outcome.kind === 'succeeded') return { outcome: 'sent', ...response };
  if (!outcome.retryable || tryNo >= CANCEL_TRIES) {
    return { outcome: 'failed', error: outcome.error, ...response };
  }
  const delayMs = Math.min(
    outcome.retryAfterMs ?? backoffDelay(tryNo, CANCEL_BACKOFF, random),
    CANCEL_BACKOFF.maxMs,
  );
  return {
    outcome: 'retry',
    error: outcome.error,
    nextTryAt: new Date(now.getTime() + delayMs),
    ...response,
  };
}

export interface CancellationSenderOptions {
  cancellations: RunCancellationRepository;
  /** Who sends a cancellation for each remote target type. */
  cancellers: { readonly [T in Exclude<TargetType, 'local'>]: TargetCanceller };
  metrics: RunnerMetrics;
  /** This runner's lease holder name. */
  holder: string;
  pollIntervalMs: number;
  /** Added to the run's attempt timeout for the lease of one try. */
  leaseGraceMs: number;
  /** Most cancellations sent at once. */
  batchSize: number;
  log: Log;
}

/**
 * Sends the cancellation requests the runs' CANCELLED transitions committed (RunCancellationRepository):
 * every poll interval, at once when notified, and when a retry falls due. Several runners may run
 * one each; the leases keep them from sending the same request.
 */
export class CancellationSender {
  private readonly loop: WakeLoop;

  constructor(private readonly options: CancellationSenderOptions) {
    this.loop = new WakeLoop(() => this.sendDue(), {
      intervalMs: options.pollIntervalMs,
      onError: (err) =>
        options.log(
          'warn',
          `looking for cancellation requests to send failed; trying again in ${options.pollIntervalMs} ms`,
          { error: errorText(err) },
        ),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** A cancellation was committed: send it now rather than at the next poll. */
  notify(): void {
    this.loop.wake();
  }

  /** Waits for the tries in flight; what is left pending is sent by the next runner to look. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  private async sendDue(): Promise<void> {
    const { cancellations, holder, leaseGraceMs, batchSize } = this.options;
    for (;;) {
      const due = await cancellations.takeDue(holder, batchSize, leaseGraceMs);
      await Promise.all(due.map((cancellation) => this.send(cancellation)));
      if (due.length < batchSize || !this.loop.running) return;
    }
  }

  private async send(due: DueCancellation): Promise<void> {
    const { cancellations, metrics, holder, log } = this.options;
    const { target } = due.request;
    let outcome: AttemptOutcome;
    if (target.type === 'local') {
      outcome = failedOutcome(
        'NoCancelRequestError',
        'a local target takes no cancellation request',
      );
    } else {
      outcome = await this.options.cancellers[target.type]
        .cancel(due.request, due.message)
        .catch((err: unknown) => failedOutcome('Error', errorText(err), true));
    }
    const ended = cancellationTryOutcome(outcome, due.try, new Date());
    if (ended.outcome === 'retry') this.loop.wakeAt(ended.nextTryAt.getTime());
    const recorded = await cancellations.record(due.runId, holder, ended);
    if (!recorded) {
      log('warn', 'lost the lease of a cancellation request; another runner records it', {
        runId: due.runId,
      });
      return;
    }
    metrics.cancellationRequest(target.type, ended.outcome);
    const fields = { runId: due.runId, triggerId: due.message.triggerId, try: due.try };
    if (ended.outcome === 'sent')
      log('info', 'asked the workflow to stop its cancelled run', fields);
    else if (ended.outcome === 'retry') {
      log('info', 'sending a cancellation request failed; trying again later', {
        ...fields,
        error: ended.error,
        nextTryAt: ended.nextTryAt.toISOString(),
      });
    } else {
      log('warn', 'gave up asking the workflow to stop its cancelled run', {
        ...fields,
        error: ended.error,
      });
    }
  }
}

function failedOutcome(type: string, message: string, retryable = false): AttemptOutcome {
  return { kind: 'failed', error: runError(type, message), retryable };
}
