import { z } from 'zod';
import { IdSchema, IsoDateTimeSchema, WorkflowNameSchema } from './primitives';
import { requiredOr, strictObject } from './strict';

export const RUN_STATUSES = [
  'REQUESTED',
  'STARTED',
  'SUCCEEDED',
  'FAILED',
  'SKIPPED',
  'CANCELLED',
] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES, {
  error: requiredOr(`must be one of: ${RUN_STATUSES.join(', ')}`),
});
export type RunStatus = z.infer<typeof RunStatusSchema>;

/** Final statuses, the ones a run-status source can chain on. */
export const TERMINAL_RUN_STATUSES = ['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'] as const;
export const TerminalRunStatusSchema = z.enum(TERMINAL_RUN_STATUSES, {
  error: requiredOr(`must be one of: ${TERMINAL_RUN_STATUSES.join(', ')}`),
});
export type TerminalRunStatus = z.infer<typeof TerminalRunStatusSchema>;

/** CloudEvent type prefix of run-status events: `flint.run.succeeded`, `flint.run.failed`, … */
export const RUN_STATUS_EVENT_TYPE_PREFIX = 'flint.run.';

export function runStatusEventType(status: RunStatus): string {
  return `${RUN_STATUS_EVENT_TYPE_PREFIX}${status.toLowerCase()}`;
}

/** The status a run-status event type stands for, or undefined for any other event type. */
export function runStatusFromEventType(type: string): RunStatus | undefined {
  if (!type.startsWith(RUN_STATUS_EVENT_TYPE_PREFIX)) return undefined;
  const parsed = RunStatusSchema.safeParse(
    type.slice(RUN_STATUS_EVENT_TYPE_PREFIX.length).toUpperCase(),
  );
  return parsed.success ? parsed.data : undefined;
}

export const RunErrorSchema = strictObject({
  /** The error's class or code, e.g. `TimeoutError`; what run-status sources filter on. */
  type: z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters'),
  message: z.string().max(8192, 'must be at most 8192 characters'),
});
export type RunError = z.infer<typeof RunErrorSchema>;

/** The `data` of a run-status CloudEvent, emitted by the runner on every status change of a run. */
export const RunStatusEventSchema = strictObject({
  runId: z.string().min(1, 'must not be empty').max(512, 'must be at most 512 characters'),
  triggerId: IdSchema,
  /** Workflow name for `local` targets. */
  workflow: WorkflowNameSchema.optional(),
  status: RunStatusSchema,
  /** The attempt this status belongs to: 0 before the first attempt (REQUESTED, or SKIPPED when busy). */
  attempt: z.number().int('must be a whole number').min(0, 'must be 0 or more'),
  error: RunErrorSchema.optional(),
  result: z.unknown().optional(),
  /** The run's input, so a chained trigger can start another workflow with it. */
  input: z.unknown().optional(),
  occurredAt: IsoDateTimeSchema,
}).refine((event) => event.status !== 'FAILED' || event.error !== undefined, {
  message: 'required when status is FAILED',
  path: ['error'],
});
export type RunStatusEvent = z.infer<typeof RunStatusEventSchema>;
