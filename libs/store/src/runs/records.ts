import type { RunError, RunRequest, RunStatus } from '@flint/contracts';

/** Where a run request was read from; the dead-letter record of a failed run points back to it. */
export interface RunSourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** How an attempt ended; `lost` when its runner disappeared before it could say. */
export type RunAttemptOutcome = 'succeeded' | 'retry' | 'failed' | 'lost' | 'cancelled';

/** A target's HTTP answer, kept with the attempt it belongs to. */
export interface RunResponse {
  status: number;
  /** The start of the body, bounded by the runner. */
  excerpt: string;
}

/** One row of the runs table, as the runner and the history API see it. */
export interface RunRecord {
  runId: string;
  triggerId: string;
  triggerVersion: number;
  owner: string;
  status: RunStatus;
  /** Attempts begun so far. */
  attempts: number;
  maxAttempts: number;
  input: unknown;
  result?: unknown;
  /** The error of the last failed attempt (or of the failed run). */
  error?: RunError;
  /** Why the run is SKIPPED, or what a queued run waits for. */
  statusReason?: string;
  eventIds: string[];
  dedupeKey?: string;
  concurrencyKey?: string;
  /** Most runs of this trigger and concurrency key at once; unlimited when absent. */
  concurrencyLimit?: number;
  /** Waiting for a concurrency slot: not due until admitted. */
  queued: boolean;
  traceId?: string;
  request: RunRequest;
  provider: RunRequest['provider'];
  targetType: RunRequest['target']['type'];
  workflow?: string;
  /** Longest one attempt may take; an attempt's lease is this plus the runner's grace. */
  timeoutMs: number;
  logLines: string[];
  /** The runner replica holding the run's lease while it works on it. */
  claimedBy?: string;
  claimExpiresAt?: Date;
  nextAttemptAt?: Date;
  acceptedAt: Date;
  requestedAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  createdAt: Date;
  source: RunSourcePosition;
  /** Someone asked to cancel the run: it is not started again, and an attempt in flight is aborted. */
  cancelRequestedAt?: Date;
  /** The event that asked for the cancellation, through the trigger's `cancelOn`. */
  cancelledByEvent?: string;
  /** The run this one re-runs. */
  rerunOf?: string;
  /** Which queued runs of its concurrency key start first (0 when its trigger sets none). */
  priority: number;
  /** A callback target's run waits for its outcome until then (`POST /api/runs/{id}/complete`). */
  callbackDeadline?: Date;
}

export interface RunAttemptRecord {
  runId: string;
  attempt: number;
  /** The runner replica that made the attempt. */
  runner: string;
  startedAt: Date;
  finishedAt?: Date;
  outcome?: RunAttemptOutcome;
  error?: RunError;
  response?: RunResponse;
}

/** The runs columns as the database returns them. */
export interface RunRow {
  run_id: string;
  trigger_id: string;
  trigger_version: number;
  owner: string;
  status: RunStatus;
  attempts: number;
  max_attempts: number | null;
  input: unknown;
  result: unknown;
  error_type: string | null;
  error_message: string | null;
  status_reason: string | null;
  event_ids: string[];
  dedupe_key: string | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  queued: boolean;
  trace_id: string | null;
  request: RunRequest;
  provider: RunRequest['provider'];
  target_type: RunRequest['target']['type'];
  workflow: string | null;
  timeout_ms: number | null;
  log_lines: string[];
  claimed_by: string | null;
  claim_expires_at: Date | null;
  next_attempt_at: Date | null;
  accepted_at: Date;
  requested_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
  cancel_requested_at: Date | null;
  cancelled_by_event: string | null;
  rerun_of: string | null;
  priority: number;
  callback_token_hash: string | null;
  callback_deadline: Date | null;
}

export interface RunAttemptRow {
  run_id: string;
  attempt: number;
  runner: string;
  started_at: Date;
  finished_at: Date | null;
  outcome: RunAttemptOutcome | null;
  error_type: string | null;
  error_message: string | null;
  response_status: number | null;
  response_excerpt: string | null;
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    triggerId: row.trigger_id,
    triggerVersion: row.trigger_version,
    owner: row.owner,
    status: row.status,
    attempts: row.attempts,
    maxAttempts: row.max_attempts ?? row.request.retry.maxAttempts,
    input: row.input,
    ...defined('result', row.result),
    ...defined('error', errorOf(row.error_type, row.error_message)),
    ...defined('statusReason', row.status_reason),
    eventIds: row.event_ids,
    ...defined('dedupeKey', row.dedupe_key),
    ...defined('concurrencyKey', row.concurrency_key),
    ...defined('concurrencyLimit', row.concurrency_limit),
    queued: row.queued,
    ...defined('traceId', row.trace_id),
    request: row.request,
    provider: row.provider,
    targetType: row.target_type,
    ...defined('workflow', row.workflow),
    timeoutMs: row.timeout_ms ?? 0,
    logLines: row.log_lines,
    ...defined('claimedBy', row.claimed_by),
    ...defined('claimExpiresAt', row.claim_expires_at),
    ...defined('nextAttemptAt', row.next_attempt_at),
    acceptedAt: row.accepted_at,
    requestedAt: row.requested_at,
    ...defined('startedAt', row.started_at),
    ...defined('finishedAt', row.finished_at),
    createdAt: row.created_at,
    source: {
      topic: row.source_topic ?? '',
      partition: row.source_partition ?? 0,
      offset: row.source_offset ?? '0',
    },
    ...defined('cancelRequestedAt', row.cancel_requested_at),
    ...defined('cancelledByEvent', row.cancelled_by_event),
    ...defined('rerunOf', row.rerun_of),
    priority: row.priority ?? 0,
    ...defined('callbackDeadline', row.callback_deadline),
  };
}

export function toRunAttemptRecord(row: RunAttemptRow): RunAttemptRecord {
  return {
    runId: row.run_id,
    attempt: row.attempt,
    runner: row.runner,
    startedAt: row.started_at,
    ...defined('finishedAt', row.finished_at),
    ...defined('outcome', row.outcome),
    ...defined('error', errorOf(row.error_type, row.error_message)),
    ...defined(
      'response',
      row.response_status === null
        ? null
        : { status: row.response_status, excerpt: row.response_excerpt ?? '' },
    ),
  };
}

function errorOf(type: string | null, message: string | null): RunError | null {
  return type === null ? null : { type, message: message ?? '' };
}

/** `{ [key]: value }`, or nothing for a NULL column, so records carry no `undefined` fields. */
function defined<K extends string, V>(key: K, value: V | null | undefined): Partial<Record<K, V>> {
  return value === null || value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
