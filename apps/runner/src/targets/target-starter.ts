import type { RunRequest, TargetType, WorkflowCancellation } from '@flint/contracts';
import type { AttemptOutcome } from '../execution/attempt-outcome';

/** What a target starter needs to make one attempt. */
export interface StartAttempt {
  request: RunRequest;
  /** 1 for the first attempt. */
  attempt: number;
  /** The trace context the start continues: the attempt's span, else the causing event's. */
  traceparent?: string;
  /** Aborted when the run is cancelled: the starter stops what it can and reports CancelledError. */
  signal?: AbortSignal;
  /**
   * For a `completion: callback` target: where the workflow reports its outcome, and the run's
   * single-use token it reports it with. The starter passes both on with the start.
   */
  callback?: RunCallback;
}

export interface RunCallback {
  url: string;
  token: string;
}

/**
 * Starts a run's workflow through one kind of target. A starter reports every failure as an outcome
 * (it does not throw), saying whether another attempt could help.
 */
export interface TargetStarter {
  readonly type: TargetType;
  /**
   * `before`: the run turns STARTED when the attempt begins, and the outcome is the workflow's own
   * (local workflows run in-process). `on-success`: the target only accepts the start, so the run is
   * STARTED, and SUCCEEDED, once it did.
   */
  readonly startedWhen: 'before' | 'on-success';
  /** A failure known before any attempt (an unknown workflow): the run fails without starting. */
  precheck?(request: RunRequest): AttemptOutcome | undefined;
  start(attempt: StartAttempt): Promise<AttemptOutcome>;
}

/**
 * Asks a remote workflow to stop, through the `cancel` its target declares. Reports every failure as
 * an outcome, saying whether another try could help; `succeeded` means delivered.
 */
export interface TargetCanceller {
  cancel(request: RunRequest, cancellation: WorkflowCancellation): Promise<AttemptOutcome>;
}

/** A starter for each target type, by type. */
export type TargetStarters = { readonly [T in TargetType]: TargetStarter & { readonly type: T } };
