import { randomBytes } from 'node:crypto';
import { Batcher, backoffDelay, errorText, type Log, systemClock } from '@flint/common';
import {
  DEFAULT_COMPLETION_TIMEOUT_MS,
  parseDuration,
  type RunError,
  type RunRequest,
  TARGET_TYPES,
  type TargetType,
} from '@flint/contracts';
import {
  type AttemptFinish,
  type AttemptStart,
  callbackTokenHash,
  type CancelRequested,
  type FinishAttempt,
  type FinishResult,
  RunLeaseLostError,
  type RunRecord,
  type RunAttemptRepository,
  type StartAttemptOptions,
  type TakenRun,
} from '@flint/store';
import { contextFromTraceparent, inSpan, traceparentOf } from '@flint/telemetry';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { RunnerMetrics } from '../runner-metrics';
import type { RunStatusMessages } from '@flint/service-kit';
import type { RunCallback, TargetStarter, TargetStarters } from '../targets/target-starter';
import { type AttemptOutcome, CANCELLED_ERROR_TYPE, runError } from './attempt-outcome';
import { cancellationToSend } from './cancellation-sender';
import { retryDelayMs } from './retry-delay';

export interface RunExecutorOptions {
  attempts: RunAttemptRepository;
  /** One starter per target type the contracts know; a missing one stops the boot. */
  starters: TargetStarters;
  messages: RunStatusMessages;
  metrics: RunnerMetrics;
  /** This runner's lease holder name. */
  holder: string;
  /** The API's address as remote workflows reach it: their callbacks go to `<it>/api/runs/…`. */
  callbackBaseUrl: string;
  log: Log;
  /** A retry was scheduled for `at`; the scheduler should look again then. */
  onRetryScheduled(at: Date): void;
  /** Queued runs became due because a run finished. */
  onAdmitted(): void;
  /** Run-status events or dead letters were committed to the outbox. */
  onEventsCommitted(): void;
  /** A cancellation request to a remote workflow was committed (CancellationSender sends it). */
  onCancellationsCommitted(): void;
  random?: () => number;
}

/** Tries to record an outcome this often before leaving the run to lease expiry. */
const FINISH_TRIES = 5;
const FINISH_BACKOFF = { initialMs: 400, maxMs: 3200 };
/** Most runs whose attempt starts (or outcomes) one statement records. */
const RUNS_PER_WRITE = 200;

/**
 * Makes one attempt of a run this runner has leased, and records what came of it: SUCCEEDED; another
 * attempt later (retryable failure with attempts left); or FAILED, with the request dead-lettered
 * when the workflow never started. Transitions and their events commit together (RunAttemptRepository).
 *
 * Recovery rule for a run taken over from an expired lease (its runner died mid-attempt): the lost
 * attempt counts; if attempts are left the run gets the next one, else it FAILS with RunnerLostError.
 */
export class RunExecutor {
  private readonly starters: ReadonlyMap<TargetType, TargetStarter>;
  private readonly random: () => number;
  /** Attempts starting (and ending) together are recorded together: one round trip for all. */
  private readonly starts: Batcher<AttemptStart, number>;
  private readonly finishes: Batcher<AttemptFinish, FinishResult>;
  /** The runs this executor is working on, each with the controller that cancels it. */
  private readonly working = new Map<string, AbortController>();
  /** Of the runs cancelled while worked on here, those a `cancelOn` event cancelled: its id. */
  private readonly cancelledBy = new Map<string, string>();

  constructor(private readonly options: RunExecutorOptions) {
    this.starters = checkTargetStarters(options.starters);
    this.random = options.random ?? Math.random;
    const keyOf = (write: { runId: string }) => write.runId;
    this.starts = new Batcher<AttemptStart, number>(
      (starts) => options.attempts.startAttempts(starts),
      {
        flush: 'one-in-flight',
        maxBatch: RUNS_PER_WRITE,
        keyOf,
      },
    );
    this.finishes = new Batcher<AttemptFinish, FinishResult>(
      (finishes) => options.attempts.finishAttempts(finishes),
      {
        flush: 'one-in-flight',
        maxBatch: RUNS_PER_WRITE,
        keyOf,
      },
    );
  }

  /** The runs being worked on here, of those given: their cancellation was asked for. */
  cancel(runs: readonly CancelRequested[]): void {
    for (const { runId, cancelledByEvent } of runs) {
      const working = this.working.get(runId);
      if (working === undefined) continue;
      // The run's record was read before the event cancelled it, so the event is kept beside it.
      if (cancelledByEvent !== undefined) this.cancelledBy.set(runId, cancelledByEvent);
      working.abort();
    }
  }

  /**
   * How the first attempt of a run being claimed begins, when the claim also leases it (one statement
   * for claim, lease and start): STARTED, with its event, when its target starts before the attempt;
   * undefined for a target type this runner cannot start (left to `execute` to report).
   */
  firstStart(request: RunRequest, at: Date): StartAttemptOptions | undefined {
    const starter = this.starters.get(request.target.type);
    if (starter === undefined) return undefined;
    if (!startsBefore(starter, request)) return { markStarted: false, messages: [] };
    const run = {
      runId: request.runId,
      triggerId: request.triggerId,
      owner: request.owner,
      request,
      input: request.input ?? null,
      ...(request.target.type === 'local' ? { workflow: request.target.workflow } : {}),
    };
    return {
      markStarted: true,
      messages: [this.options.messages.status(run, 'STARTED', { attempt: 1, occurredAt: at })],
    };
  }

  /** Never throws: a run whose outcome cannot be recorded is left to lease expiry and recovered. */
  async execute(run: TakenRun): Promise<void> {
    const cancellation = new AbortController();
    this.working.set(run.runId, cancellation);
    try {
      await this.attempt(run, cancellation.signal);
    } catch (err) {
      const fields = { runId: run.runId, error: errorText(err) };
      if (err instanceof RunLeaseLostError) {
        this.options.log(
          'warn',
          'lost the lease of a run; another runner carries on with it',
          fields,
        );
      } else {
        this.options.log(
          'error',
          'could not carry out the run; it is retried once its lease expires',
          fields,
        );
      }
    } finally {
      this.working.delete(run.runId);
      this.cancelledBy.delete(run.runId);
    }
  }

  private async attempt(run: TakenRun, cancellation: AbortSignal): Promise<void> {
    const { messages, metrics, holder, log } = this.options;
    const starter = this.starters.get(run.targetType);
    // Every known type has a starter (checked at boot); a run stored by a newer version may not.
    if (starter === undefined) throw new Error(`no starter for target type ${run.targetType}`);
    if (run.cancelRequestedAt !== undefined) {
      // Taken only to be cancelled: queued, waiting for a retry, or abandoned by a lost runner.
      // A STARTED remote run is running on its target: it is asked to stop, if it says how.
      await this.cancelled(run, run.attempts, {
        attempted: run.previousHolder !== undefined,
        reached: run.status === 'STARTED',
      });
      return;
    }
    if (run.callbackDeadline !== undefined) {
      // Taken because its callback target did not report the outcome before the deadline.
      await this.calledBackTooLate(run);
      return;
    }
    if (run.previousHolder !== undefined) {
      log('warn', 'taking over a run whose runner stopped before finishing it', {
        runId: run.runId,
        previousHolder: run.previousHolder,
        attempts: run.attempts,
      });
      if (run.attempts >= run.maxAttempts) {
        const error = runError(
          'RunnerLostError',
          `the runner ${run.previousHolder} stopped during attempt ${run.attempts} of ` +
            `${run.maxAttempts}; no attempts are left`,
        );
        await this.fail(run, run.attempts, 'lost', error, { wasStarted: run.status === 'STARTED' });
        return;
      }
    }

    const precheck = starter.precheck?.(run.request);
    const before = startsBefore(starter, run.request);
    let attempt: number;
    if (run.begunAttempt !== undefined) {
      // Begun by the claim's statement (firstStart), STARTED with it when the target starts before.
      attempt = run.begunAttempt;
      if (before) metrics.started(run.provider, run.acceptedAt, run.startedAt ?? new Date());
    } else {
      const firstStart = before && run.status === 'REQUESTED';
      const startedAt = new Date();
      attempt = await this.starts.call({
        runId: run.runId,
        holder,
        options: {
          markStarted: before,
          messages: firstStart
            ? [
                messages.status(run, 'STARTED', {
                  attempt: run.attempts + 1,
                  occurredAt: startedAt,
                }),
              ]
            : [],
        },
      });
      if (firstStart) {
        metrics.started(run.provider, run.acceptedAt, startedAt);
        this.options.onEventsCommitted();
      }
    }

    const callback = precheck === undefined ? await this.callbackFor(run) : undefined;
    const outcome =
      precheck ??
      (cancellation.aborted
        ? undefined
        : await this.startTraced(starter, run, attempt, cancellation, callback));
    // A cancellation that came while the attempt ran wins over its failure, not over its success.
    if (outcome === undefined || (cancellation.aborted && outcome.kind === 'failed')) {
      await this.cancelled(run, attempt, {
        attempted: true,
        // A start sent (and aborted, or failed) may still have reached the target.
        reached: outcome !== undefined && precheck === undefined,
        logLines: outcome?.logLines,
        byEvent: this.cancelledBy.get(run.runId),
      });
      return;
    }
    const wasStarted = before || run.status === 'STARTED';
    if (callback !== undefined && outcome.kind === 'succeeded') {
      await this.awaitCallback(run, attempt, outcome, wasStarted);
      return;
    }
    await this.record(run, attempt, outcome, wasStarted);
  }

  /**
   * A `completion: callback` target's start carries where to report the outcome and a single-use
   * token, whose hash is stored first, so even an outcome reported at once finds it.
   */
  private async callbackFor(run: RunRecord): Promise<RunCallback | undefined> {
    const { target } = run.request;
    if (target.type === 'local' || target.completion !== 'callback') return undefined;
    const token = randomBytes(32).toString('base64url');
    await this.options.attempts.expectCallback(
      run.runId,
      this.options.holder,
      callbackTokenHash(token),
    );
    const url = new URL(
      `api/runs/${encodeURIComponent(run.runId)}/complete`,
      this.options.callbackBaseUrl.replace(/\/?$/, '/'),
    );
    return { url: url.toString(), token };
  }

  /** The start was accepted: the run is STARTED and waits for its outcome until the deadline. */
  private async awaitCallback(
    run: RunRecord,
    attempt: number,
    outcome: Extract<AttemptOutcome, { kind: 'succeeded' }>,
    wasStarted: boolean,
  ): Promise<void> {
    const { messages, metrics, log } = this.options;
    const { target } = run.request;
    const timeout =
      target.type !== 'local' && target.completionTimeout !== undefined
        ? parseDuration(target.completionTimeout)
        : DEFAULT_COMPLETION_TIMEOUT_MS;
    const now = new Date();
    const callbackDeadline = new Date(now.getTime() + timeout);
    await this.finish(run, {
      attempt,
      attemptOutcome: 'succeeded',
      ...(outcome.response ? { response: outcome.response } : {}),
      run: { status: 'STARTED', callbackDeadline },
      messages: wasStarted ? [] : [messages.status(run, 'STARTED', { attempt, occurredAt: now })],
    });
    if (!wasStarted) metrics.started(run.provider, run.acceptedAt, now);
    metrics.attempt(run.provider, run.targetType, 'succeeded');
    log('info', 'run started; waiting for the workflow to report its outcome', {
      runId: run.runId,
      triggerId: run.triggerId,
      deadline: callbackDeadline.toISOString(),
    });
  }

  /** No outcome came before the deadline: the run fails with TimeoutError. */
  private async calledBackTooLate(run: RunRecord): Promise<void> {
    const { messages, metrics, log } = this.options;
    const error = runError(
      'TimeoutError',
      `the workflow did not report its outcome by ${run.callbackDeadline?.toISOString()}`,
    );
    await this.finish(run, {
      // Attempt 0 closes no attempt: the start's attempt succeeded and keeps its outcome.
      attempt: 0,
      attemptOutcome: 'failed',
      error,
      run: { status: 'FAILED' },
      messages: [messages.status(run, 'FAILED', { attempt: run.attempts, error })],
    });
    metrics.finishedRun(run.provider, 'FAILED');
    log('warn', 'run failed: no outcome before its deadline', {
      runId: run.runId,
      triggerId: run.triggerId,
      error,
    });
  }

  /**
   * Ends the run CANCELLED after `attempt` attempts; `attempted` when that attempt was in flight (or
   * lost) and is closed with it; `reached` when the start may have reached the target, whose
   * `cancel` (if declared) is then committed with the transition for the CancellationSender.
   */
  private async cancelled(
    run: RunRecord,
    attempt: number,
    extra: {
      attempted: boolean;
      reached: boolean;
      logLines?: string[] | undefined;
      byEvent?: string | undefined;
    },
  ): Promise<void> {
    const { messages, metrics, log } = this.options;
    const byEvent = run.cancelledByEvent ?? extra.byEvent;
    const error = runError(
      CANCELLED_ERROR_TYPE,
      byEvent === undefined
        ? 'the run was cancelled on request'
        : `the run was cancelled by event ${byEvent} (its trigger's cancelOn)`,
    );
    const cancellation = cancellationToSend(run, extra.reached, {
      reason: error.message,
      byEvent,
      at: new Date(),
    });
    await this.finish(run, {
      // Attempt 0 closes no attempt: one that ended before (say, waiting for a retry) keeps its outcome.
      attempt: extra.attempted ? attempt : 0,
      attemptOutcome: 'cancelled',
      error,
      run: { status: 'CANCELLED' },
      ...(extra.logLines ? { logLines: extra.logLines } : {}),
      messages: [messages.status(run, 'CANCELLED', { attempt, error })],
      ...(cancellation ? { cancellation } : {}),
    });
    if (cancellation) this.options.onCancellationsCommitted();
    if (extra.attempted) metrics.attempt(run.provider, run.targetType, 'cancelled');
    metrics.finishedRun(run.provider, 'CANCELLED');
    log('info', 'run cancelled', { runId: run.runId, triggerId: run.triggerId, attempt });
  }

  /**
   * One span per attempt, child of the causing event's trace; the target's own call continues from
   * it: an HTTP client span (undici instrumentation), a Kafka `send`, or the local workflow's work.
   */
  private startTraced(
    starter: TargetStarter,
    run: RunRecord,
    attempt: number,
    cancellation: AbortSignal,
    callback: RunCallback | undefined,
  ) {
    const { request } = run;
    return inSpan(
      'flint-runner',
      `start ${run.targetType} target`,
      {
        parent: contextFromTraceparent(request.traceparent),
        kind: SpanKind.INTERNAL,
        attributes: {
          'flint.run_id': run.runId,
          'flint.trigger_id': run.triggerId,
          'flint.attempt': attempt,
        },
      },
      async (span) => {
        const traceparent = traceparentOf(span) ?? request.traceparent;
        const outcome = await starter.start({
          request,
          attempt,
          ...(traceparent ? { traceparent } : {}),
          signal: cancellation,
          ...(callback ? { callback } : {}),
        });
        if (outcome.kind === 'failed') {
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.type });
        }
        return outcome;
      },
    );
  }

  private async record(
    run: RunRecord,
    attempt: number,
    outcome: AttemptOutcome,
    wasStarted: boolean,
  ): Promise<void> {
    const { messages, metrics, log } = this.options;
    if (outcome.kind === 'succeeded') {
      const now = new Date();
      await this.finish(run, {
        attempt,
        attemptOutcome: 'succeeded',
        ...(outcome.response ? { response: outcome.response } : {}),
        run: { status: 'SUCCEEDED', result: outcome.result },
        ...(outcome.logLines ? { logLines: outcome.logLines } : {}),
        messages: [
          ...(wasStarted ? [] : [messages.status(run, 'STARTED', { attempt, occurredAt: now })]),
          messages.status(run, 'SUCCEEDED', { attempt, result: outcome.result, occurredAt: now }),
        ],
      });
      if (!wasStarted) metrics.started(run.provider, run.acceptedAt, now);
      metrics.attempt(run.provider, run.targetType, 'succeeded');
      metrics.finishedRun(run.provider, 'SUCCEEDED');
      log('info', 'run succeeded', { runId: run.runId, triggerId: run.triggerId, attempt });
      return;
    }
    if (outcome.retryable && attempt < run.maxAttempts) {
      const delayMs = retryDelayMs(attempt, run.request.retry, outcome.retryAfterMs, this.random);
      const nextAttemptAt = new Date(Date.now() + delayMs);
      await this.finish(run, {
        attempt,
        attemptOutcome: 'retry',
        error: outcome.error,
        ...(outcome.response ? { response: outcome.response } : {}),
        run: { status: 'REQUESTED', nextAttemptAt },
        ...(outcome.logLines ? { logLines: outcome.logLines } : {}),
      });
      metrics.attempt(run.provider, run.targetType, 'retry');
      log('info', 'attempt failed; retrying later', {
        runId: run.runId,
        attempt,
        delayMs,
        error: outcome.error,
      });
      this.options.onRetryScheduled(nextAttemptAt);
      return;
    }
    await this.fail(run, attempt, 'failed', outcome.error, {
      wasStarted,
      ...(outcome.response ? { response: outcome.response } : {}),
      ...(outcome.logLines ? { logLines: outcome.logLines } : {}),
    });
  }

  private async fail(
    run: RunRecord,
    attempt: number,
    attemptOutcome: 'failed' | 'lost',
    error: RunError,
    extra: Pick<FinishAttempt, 'response' | 'logLines'> & { wasStarted: boolean },
  ): Promise<void> {
    const { messages, metrics, log } = this.options;
    const { wasStarted, ...recorded } = extra;
    await this.finish(run, {
      attempt,
      attemptOutcome,
      error,
      ...recorded,
      run: { status: 'FAILED' },
      messages: [
        messages.status(run, 'FAILED', { attempt, error }),
        // A workflow that never started is a dead letter: fix the target, then replay the request.
        ...(wasStarted ? [] : [messages.deadLetter(run, error, attempt)]),
      ],
    });
    metrics.attempt(run.provider, run.targetType, attemptOutcome);
    metrics.finishedRun(run.provider, 'FAILED');
    log('warn', 'run failed', { runId: run.runId, triggerId: run.triggerId, attempt, error });
  }

  /** Retries database hiccups: an outcome not recorded means the start is repeated after lease expiry. */
  private async finish(run: RunRecord, finish: FinishAttempt): Promise<FinishResult> {
    for (let tryNo = 1; ; tryNo++) {
      try {
        const result = await this.finishes.call({
          runId: run.runId,
          holder: this.options.holder,
          finish,
        });
        if (result.admitted.length > 0) this.options.onAdmitted();
        if (finish.messages?.length) this.options.onEventsCommitted();
        return result;
      } catch (err) {
        if (err instanceof RunLeaseLostError || tryNo >= FINISH_TRIES) throw err;
        this.options.log('warn', 'recording the outcome of an attempt failed; trying again', {
          runId: run.runId,
          try: tryNo,
          error: errorText(err),
        });
        await systemClock.sleep(backoffDelay(tryNo, FINISH_BACKOFF));
      }
    }
  }
}

/** The run turns STARTED as its attempt begins: a target that starts before, with no known failure. */
function startsBefore(starter: TargetStarter, request: RunRequest): boolean {
  return starter.startedWhen === 'before' && starter.precheck?.(request) === undefined;
}

/**
 * The starters by target type, failing the boot when a target type of the contracts has no starter, so
 * that the gap shows when the runner starts rather than when the first run of that type comes in.
 */
export function checkTargetStarters(
  starters: TargetStarters,
): ReadonlyMap<TargetType, TargetStarter> {
  const byType = new Map<TargetType, TargetStarter>();
  for (const type of TARGET_TYPES) {
    const starter = (starters as Partial<TargetStarters>)[type];
    if (starter === undefined) {
      throw new Error(
        `target type '${type}' (TargetSchema, libs/contracts) has no starter in the runner; add one under apps/runner/src/targets`,
      );
    }
    if (starter.type !== type) {
      throw new Error(
        `the starter given for target type '${type}' starts '${starter.type}' targets`,
      );
    }
    byType.set(type, starter);
  }
  return byType;
}
