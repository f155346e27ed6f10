import type { RunRequest } from '@flint/contracts';
import { concurrencyLimit, newRun } from './new-run';

const base: Omit<RunRequest, 'target'> = {
  runId: 'r',
  triggerId: 't',
  triggerVersion: 1,
  owner: 'default',
  input: null,
  eventIds: ['e'],
  retry: { maxAttempts: 3, backoff: { initialMs: 1, maxMs: 1, multiplier: 1, jitter: 0 } },
  requestedAt: '2024-05-01T12:00:00Z',
  acceptedAt: '2024-05-01T12:00:00Z',
  provider: 'cron',
};

const request = (extra: Partial<RunRequest>): RunRequest => ({
  ...base,
  target: { type: 'local', workflow: 'echo', timeoutMs: 5000 },
  ...extra,
});

const where = { topic: 'flint.runs', partition: 2, offset: '41' };

describe('newRun', () => {
  it('takes the attempt timeout from the target, or the runner setting for kafka targets', () => {
    expect(newRun(request({}), where, 30_000)).toEqual({
      request: request({}),
      source: where,
      timeoutMs: 5000,
    });
    expect(
      newRun(request({ target: { type: 'kafka', topic: 'cmds' } }), where, 30_000).timeoutMs,
    ).toBe(30_000);
  });

  it('turns the concurrency policy into a limit', () => {
    expect(concurrencyLimit(request({}))).toBeUndefined();
    expect(
      concurrencyLimit(request({ concurrency: { allowConcurrent: false, onBusy: 'queue' } })),
    ).toBe(1);
    expect(
      concurrencyLimit(request({ concurrency: { allowConcurrent: true, onBusy: 'skip', max: 4 } })),
    ).toBe(4);
    expect(
      concurrencyLimit(request({ concurrency: { allowConcurrent: true, onBusy: 'skip' } })),
    ).toBeUndefined();
    expect(
      newRun(request({ concurrency: { allowConcurrent: false, onBusy: 'queue' } }), where, 1)
        .concurrency,
    ).toEqual({ limit: 1, onBusy: 'queue' });
  });
});
