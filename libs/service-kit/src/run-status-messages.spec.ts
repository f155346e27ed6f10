import {
  CloudEventSchema,
  DlqHeadersSchema,
  type RunRequest,
  RunStatusEventSchema,
} from '@flint/contracts';
import type { RunRecord } from '@flint/store';
import { RunStatusMessages, runStatusCloudEvent } from './run-status-messages';

const request: RunRequest = {
  runId: 'nightly.abc',
  triggerId: 'nightly',
  triggerVersion: 2,
  owner: 'data',
  target: { type: 'local', workflow: 'import', timeoutMs: 1000 },
  input: { day: '2024-05-01' },
  eventIds: ['slot-1'],
  retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 } },
  requestedAt: '2024-05-01T02:00:00Z',
  acceptedAt: '2024-05-01T02:00:00Z',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  provider: 'cron',
};

const run = {
  runId: request.runId,
  triggerId: request.triggerId,
  workflow: 'import',
  input: request.input,
  request,
  source: { topic: 'flint.runs', partition: 1, offset: '99' },
} as RunRecord;

describe('run status messages', () => {
  const messages = new RunStatusMessages({ events: 'flint.events', dlq: 'flint.dlq' });
  const occurredAt = new Date('2024-05-01T02:00:31Z');

  it('builds a valid run-status CloudEvent that a chained trigger can use', () => {
    const error = { type: 'TimeoutError', message: 'too slow' };
    const event = runStatusCloudEvent(run, 'FAILED', { attempt: 3, error, occurredAt });
    expect(CloudEventSchema.parse(event)).toMatchObject({
      id: 'nightly.abc:failed',
      type: 'flint.run.failed',
      source: 'flint/runner',
      subject: 'nightly.abc',
      flintsourceid: 'nightly',
      flintprovider: 'runner',
      flintacceptedat: '2024-05-01T02:00:31.000Z',
      traceparent: request.traceparent,
    });
    expect(RunStatusEventSchema.parse(event.data)).toEqual({
      runId: 'nightly.abc',
      triggerId: 'nightly',
      workflow: 'import',
      status: 'FAILED',
      attempt: 3,
      error,
      input: { day: '2024-05-01' },
      occurredAt: '2024-05-01T02:00:31.000Z',
    });
  });

  it('encodes it for the outbox in binary mode, keyed by trigger', () => {
    const message = messages.status(run, 'SUCCEEDED', {
      attempt: 1,
      result: { rows: 3 },
      occurredAt,
    });
    expect(message).toMatchObject({
      topic: 'flint.events',
      key: 'nightly',
      value: { status: 'SUCCEEDED', result: { rows: 3 } },
      headers: {
        'content-type': 'application/json',
        ce_type: 'flint.run.succeeded',
        ce_specversion: '1.0',
        traceparent: request.traceparent,
      },
    });
  });

  it('leaves an oversized input out of the event', () => {
    const big = { ...run, input: { blob: 'x'.repeat(300 * 1024) } } as RunRecord;
    expect(runStatusCloudEvent(big, 'STARTED', { attempt: 1 }).data).not.toHaveProperty('input');
  });

  it('dead-letters the request with contract headers that say why and where from', () => {
    const failedAt = new Date('2024-05-01T02:01:00Z');
    const error = { type: 'HttpStatusError', message: 'POST https://x/y answered 400' };
    const dead = messages.deadLetter(run, error, 1, failedAt);
    expect(dead).toMatchObject({ topic: 'flint.dlq', key: 'nightly.abc', value: request });
    expect(DlqHeadersSchema.parse(dead.headers)).toEqual({
      flint_dlq_reason: 'processing-failed',
      flint_dlq_error:
        'run nightly.abc of trigger nightly failed after 1 attempt(s): HttpStatusError: POST https://x/y answered 400',
      flint_dlq_source_topic: 'flint.runs',
      flint_dlq_source_partition: '1',
      flint_dlq_source_offset: '99',
      flint_dlq_failed_at: '2024-05-01T02:01:00.000Z',
    });
  });
});
