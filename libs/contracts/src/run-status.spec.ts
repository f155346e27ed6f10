import {
  RUN_STATUSES,
  RunStatusEventSchema,
  runStatusEventType,
  runStatusFromEventType,
} from './run-status';
import { problemsOf } from './spec-helpers';

describe('run status event types', () => {
  it('derives the CloudEvent type from the status and back', () => {
    expect(runStatusEventType('SUCCEEDED')).toBe('flint.run.succeeded');
    expect(runStatusEventType('FAILED')).toBe('flint.run.failed');
    for (const status of RUN_STATUSES) {
      expect(runStatusFromEventType(runStatusEventType(status))).toBe(status);
    }
    expect(runStatusFromEventType('flint.run.exploded')).toBeUndefined();
    expect(runStatusFromEventType('github.push')).toBeUndefined();
  });
});

describe('RunStatusEventSchema', () => {
  const failed = {
    runId: 'nightly:2024-05-01',
    triggerId: 'nightly',
    workflow: 'import',
    status: 'FAILED',
    attempt: 3,
    error: { type: 'TimeoutError', message: 'workflow did not answer within 30000 ms' },
    input: { day: '2024-05-01' },
    occurredAt: '2024-05-01T02:00:31Z',
  };

  it('accepts a failure with its error and a success with its result', () => {
    expect(RunStatusEventSchema.parse(failed)).toEqual(failed);
    const succeeded = { ...failed, status: 'SUCCEEDED', error: undefined, result: { rows: 10 } };
    expect(RunStatusEventSchema.parse(succeeded)).toMatchObject({
      status: 'SUCCEEDED',
      result: { rows: 10 },
    });
  });

  it('requires the error of a failure and a known status', () => {
    expect(problemsOf(RunStatusEventSchema, { ...failed, error: undefined })).toEqual([
      { path: 'error', message: 'required when status is FAILED' },
    ]);
    expect(problemsOf(RunStatusEventSchema, { ...failed, status: 'DONE', attempt: -1 })).toEqual([
      {
        path: 'status',
        message: 'must be one of: REQUESTED, STARTED, SUCCEEDED, FAILED, SKIPPED, CANCELLED',
      },
      { path: 'attempt', message: 'must be 0 or more' },
    ]);
  });
});
