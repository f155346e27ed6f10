import type { RunAttempt, RunCancellationView, RunDetail, RunSummary } from '@flint/contracts';
import type { RunAttemptRecord, RunCancellationRecord, RunRecord } from '@flint/store';

/** A run as listings show it. */
export function runSummary(run: RunRecord): RunSummary {
  const finished = run.finishedAt;
  const from = run.startedAt ?? run.requestedAt;
  return {
    runId: run.runId,
    triggerId: run.triggerId,
    triggerVersion: run.triggerVersion,
    owner: run.owner,
    status: run.status,
    attempts: run.attempts,
    requestedAt: iso(run.requestedAt),
    ...(run.startedAt ? { startedAt: iso(run.startedAt) } : {}),
    ...(finished ? { finishedAt: iso(finished), durationMs: millisBetween(from, finished) } : {}),
    ...(run.error ? { error: run.error } : {}),
    eventIds: run.eventIds,
    priority: run.priority,
    ...(run.traceId ? { traceId: run.traceId } : {}),
  };
}

/** Everything about one run, with its attempts. */
export function runDetail(
  run: RunRecord,
  attempts: readonly RunAttemptRecord[],
  reruns: readonly string[],
  cancellation?: RunCancellationRecord,
): RunDetail {
  return {
    ...runSummary(run),
    maxAttempts: run.maxAttempts,
    input: run.input,
    ...(run.result === undefined ? {} : { result: run.result }),
    ...(run.statusReason ? { statusReason: run.statusReason } : {}),
    queued: run.queued,
    ...(run.dedupeKey ? { dedupeKey: run.dedupeKey } : {}),
    ...(run.concurrencyKey ? { concurrencyKey: run.concurrencyKey } : {}),
    provider: run.provider,
    targetType: run.targetType,
    ...(run.workflow ? { workflow: run.workflow } : {}),
    acceptedAt: iso(run.acceptedAt),
    createdAt: iso(run.createdAt),
    ...(run.nextAttemptAt ? { nextAttemptAt: iso(run.nextAttemptAt) } : {}),
    logLines: run.logLines,
    attemptHistory: attempts.map(attemptView),
    ...(run.cancelRequestedAt ? { cancelRequestedAt: iso(run.cancelRequestedAt) } : {}),
    ...(run.cancelledByEvent ? { cancelledByEvent: run.cancelledByEvent } : {}),
    ...(run.rerunOf ? { rerunOf: run.rerunOf } : {}),
    ...(run.callbackDeadline ? { callbackDeadline: iso(run.callbackDeadline) } : {}),
    ...(cancellation ? { cancellationRequest: cancellationView(cancellation) } : {}),
    reruns: [...reruns],
  };
}

function cancellationView(cancellation: RunCancellationRecord): RunCancellationView {
  return {
    status: cancellation.status,
    tries: cancellation.tries,
    createdAt: iso(cancellation.createdAt),
    ...(cancellation.nextTryAt ? { nextTryAt: iso(cancellation.nextTryAt) } : {}),
    ...(cancellation.finishedAt ? { finishedAt: iso(cancellation.finishedAt) } : {}),
    ...(cancellation.error ? { error: cancellation.error } : {}),
    ...(cancellation.responseStatus === undefined
      ? {}
      : { responseStatus: cancellation.responseStatus }),
  };
}

function attemptView(attempt: RunAttemptRecord): RunAttempt {
  return {
    attempt: attempt.attempt,
    runner: attempt.runner,
    startedAt: iso(attempt.startedAt),
    ...(attempt.finishedAt
      ? {
          finishedAt: iso(attempt.finishedAt),
          durationMs: millisBetween(attempt.startedAt, attempt.finishedAt),
        }
      : {}),
    ...(attempt.outcome ? { outcome: attempt.outcome } : {}),
    ...(attempt.error ? { error: attempt.error } : {}),
    ...(attempt.response ? { response: attempt.response } : {}),
  };
}

/** Dates from the driver may be strings on some paths; both print the same. */
function iso(value: Date | string): string {
  return new Date(value).toISOString();
}

function millisBetween(from: Date | string, to: Date | string): number {
  return Math.max(0, new Date(to).getTime() - new Date(from).getTime());
}
