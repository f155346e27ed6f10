import { type Log } from '@flint/common';
import type { RunRequest } from '@flint/contracts';
import type { Decoded, OutgoingRecord } from '@flint/kafka';
import type { ClaimOutcome, RunClaimRepository } from '@flint/store';
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
  /** After the claims committed: wake the scheduler. */
  onClaimed(outcomes: ClaimOutcome[]): void;
}

/**
 * Handles a batch from the runs topic by claiming every run id in the database, and nothing more:
 * starting is the scheduler's job. So the batch's offsets are committed as soon as its runs are
 * durably claimed, and no slow or retried start holds up the partition. A replayed or repeated
 * request finds its run id claimed and is only counted.
 */
export class RunRequestHandler {
  constructor(private readonly options: RunRequestHandlerOptions) {}

  async handle(items: Decoded<RunRequest>[]): Promise<OutgoingRecord[]> {
    const { claims, messages, metrics, log } = this.options;
    const outcomes = await claims.claim(
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
      },
    );
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
