import type { RunRequest } from '@flint/contracts';
import { cancelCommand } from '../targets/kafka-target';
import { failed } from './attempt-outcome';
import {
  CANCEL_BACKOFF,
  CANCEL_TRIES,
  cancellationToSend,
  cancellationTryOutcome,
} from './cancellation-sender';

const http = {
  type: 'http',
  url: 'https://ci.example.com/jobs',
  method: 'POST',
  headers: {},
  timeoutMs: 1000,
} as const;
const run = (target: RunRequest['target']) => ({
  runId: 'deploy.1',
  triggerId: 'deploy',
  request: { target },
});
const cancel = { reason: 'the run was cancelled on request', byEvent: undefined, at: new Date(0) };

describe('cancellationToSend', () => {
  const declared = run({
    ...http,
    cancel: { url: 'https://ci.example.com/jobs/{{runId}}', method: 'DELETE', headers: {} },
  });

  it('asks a target that declares cancel, once its start may have reached it', () => {
    expect(
      cancellationToSend(declared, true, { ...cancel, byEvent: 'evt-1', at: new Date(5) }),
    ).toEqual({
      runId: 'deploy.1',
      triggerId: 'deploy',
      cancelledByEvent: 'evt-1',
      reason: cancel.reason,
      cancelledAt: new Date(5).toISOString(),
    });
    expect(cancellationToSend(declared, true, cancel)).not.toHaveProperty('cancelledByEvent');
  });

  it('sends nothing for a run that never reached its target, or a target that declares no cancel', () => {
    expect(cancellationToSend(declared, false, cancel)).toBeUndefined();
    expect(cancellationToSend(run(http), true, cancel)).toBeUndefined();
    expect(
      cancellationToSend(run({ type: 'local', workflow: 'echo', timeoutMs: 1 }), true, cancel),
    ).toBeUndefined();
    expect(
      cancellationToSend(
        run({ type: 'kafka', topic: 'jobs', cancel: { topic: 'stop' } }),
        true,
        cancel,
      ),
    ).toMatchObject({ runId: 'deploy.1' });
  });
});

describe('cancellationTryOutcome', () => {
  const now = new Date(1_000_000);
  const noJitter = () => 0;

  it('records a delivered try as sent, with the answer', () => {
    expect(
      cancellationTryOutcome(
        { kind: 'succeeded', result: null, response: { status: 202, excerpt: '' } },
        1,
        now,
      ),
    ).toEqual({ outcome: 'sent', response: { status: 202, excerpt: '' } });
  });

  it('tries a retryable failure again with doubling backoff, the target’s Retry-After within the cap', () => {
    const down = failed('NetworkError', 'ECONNREFUSED', true);
    expect(cancellationTryOutcome(down, 1, now, noJitter)).toMatchObject({
      outcome: 'retry',
      nextTryAt: new Date(now.getTime() + CANCEL_BACKOFF.initialMs),
    });
    expect(cancellationTryOutcome(down, 3, now, noJitter)).toMatchObject({
      nextTryAt: new Date(now.getTime() + 4 * CANCEL_BACKOFF.initialMs),
    });
    const busy = failed('HttpStatusError', '503', true, { retryAfterMs: 7000 });
    expect(cancellationTryOutcome(busy, 1, now)).toMatchObject({
      nextTryAt: new Date(now.getTime() + 7000),
    });
    const later = failed('HttpStatusError', '503', true, { retryAfterMs: 86_400_000 });
    expect(cancellationTryOutcome(later, 1, now)).toMatchObject({
      nextTryAt: new Date(now.getTime() + CANCEL_BACKOFF.maxMs),
    });
  });

  it('gives up on a final failure at once, and on a retryable one after the last try', () => {
    expect(cancellationTryOutcome(failed('HttpStatusError', '404', false), 1, now)).toMatchObject({
      outcome: 'failed',
      error: { type: 'HttpStatusError' },
    });
    expect(
      cancellationTryOutcome(failed('NetworkError', 'down', true), CANCEL_TRIES, now),
    ).toMatchObject({ outcome: 'failed', error: { type: 'NetworkError' } });
  });
});

describe('cancelCommand', () => {
  it('is a flint.workflow.cancel CloudEvent about the run, with the cancellation as data', () => {
    const cancellation = {
      runId: 'deploy.1',
      triggerId: 'deploy',
      reason: 'the run was cancelled on request',
      cancelledAt: '2024-05-01T12:00:00.000Z',
    };
    const request = {
      runId: 'deploy.1',
      triggerId: 'deploy',
      acceptedAt: '2024-05-01T11:00:00.000Z',
    } as RunRequest;
    expect(cancelCommand(request, cancellation)).toMatchObject({
      id: 'deploy.1:cancel',
      type: 'flint.workflow.cancel',
      subject: 'deploy.1',
      source: 'flint/triggers/deploy',
      data: cancellation,
    });
  });
});
