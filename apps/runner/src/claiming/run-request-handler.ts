import { type Log } from '@flint/common';
import type { RunRequest } from '@flint/contracts';
import type { Decoded, OutgoingRecord } from '@flint/kafka';
import type { ClaimOutcome, RunClaimRepository, StartAttemptOptions, TakenRun } from '@flint/store';
import type { RunnerMetrics } from '../runner-metrics';
import { runError } from '../execution/attempt-outcome';
import type { RunStatusMessages } from '@flint/service-kit';
import { newRun } from './new-run';

export interface RunRequestHandlerOptions {
  claims: RunClaimRepository;
  messages: RunStatusMessages;
  metrics: RunnerMetrics;
  log: Log;
  kafkaTargetTimeoutMs: number;
  /** Runs the runner has room for are leased and begun by the claim itself, then carried out. */
  leases: {
    holder: string;
    graceMs: number;
    /** Slots for runs leased as claimed (RunScheduler.reserve). */
    reserve(wanted: number): number;
    /** Carry out the runs leased; the slots reserved and not used are free again. */
    adopt(reserved: number, runs: readonly TakenRun[]): void;
    /** How a run's first attempt begins (RunExecutor.firstStart). */
    firstStart(request: RunRequest, at: Date): StartAttemptOptions | undefined;
  };
  /** After the claims committed: wake the scheduler for runs not leased, the relay for events. */
  onClaimed(outcomes: ClaimOutcome[]): void;
}

/**
 * Handles a batch from the runs topic by claiming every run id in the database. Runs the runner has
 * room for are leased to it and their first attempt begun in the same statement, and handed to the
 * scheduler to carry out without waiting; the others wait in the table for the scheduler. So the
 * batch's offsets are committed as soon as its runs are durably claimed, and no slow or retried
 * start holds up the partition. A replayed or repeated request finds its run id claimed and is only
 * counted.
 */
export class RunRequestHandler {
  constructor(private readonly options: RunRequestHandlerOptions) {}

  async handle(items: Decoded<RunRequest>[]): Promise<OutgoingRecord[]> {
    const { claims, messages, metrics, log, leases } = this.options;
    const reserved = leases.reserve(items.length);
    let taken: TakenRun[] = [];
    let outcomes: ClaimOutcome[];
    try {
      const at = new Date();
      outcomes = await claims.claim(
        items.map((item) => newRun(item.value, item.message, this.options.kafkaTargetTimeoutMs)),
        {
          skippedMessages: (run) => [
            messages.status(run, 'SKIPPED', {
              attempt: 0,
              error: runError(
                'ConcurrencyLimitError',
                run.statusReason ?? 'concurrency limit reached',
              ),
            }),
          ],
          ...(reserved > 0
            ? {
                lease: {
                  holder: leases.holder,
                  graceMs: leases.graceMs,
                  limit: reserved,
                  start: (run) => leases.firstStart(run.request, at),
                },
              }
            : {}),
        },
      );
      taken = outcomes.flatMap((outcome) =>
        outcome.outcome === 'claimed' && outcome.taken ? [outcome.taken] : [],
      );
    } finally {
      leases.adopt(reserved, taken);
    }
    outcomes.forEach((outcome, index) => {
      const request = items[index]?.value as RunRequest;
      const fields = { runId: outcome.runId, triggerId: request.triggerId };
      if (outcome.outcome === 'duplicate') {
        metrics.duplicate(request.provider);
        log('info', 'run id already claimed; duplicate request acknowledged, not started', fields);
      } else if (outcome.outcome === 'skipped') {
        metrics.finishedRun(request.provider, 'SKIPPED');
        log('info', 'run skipped', { ...fields, reason: outcome.reason });
      } else if (outcome.outcome === 'queued') {
        log('info', 'run queued', { ...fields, reason: outcome.reason });
      }
    });
    this.options.onClaimed(outcomes);
    return [];
  }
}
