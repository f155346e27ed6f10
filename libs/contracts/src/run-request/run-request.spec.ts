import { RunRequestSchema } from './run-request';
import { problemsOf } from '../spec-helpers';

const request = {
  runId: 'deploy:3f2a9c',
  triggerId: 'deploy',
  triggerVersion: 2,
  owner: 'platform',
  target: {
    type: 'http',
    url: 'https://ci.example.com/deploy',
    method: 'POST',
    headers: {},
    timeoutMs: 10_000,
  },
  input: { commit: 'abc123', files: ['a.ts'] },
  eventIds: ['delivery-1', 'delivery-2'],
  dedupeKey: 'abc123',
  concurrencyKey: 'org/repo',
  concurrency: { allowConcurrent: false, key: 'event.data.repository', onBusy: 'queue' },
  retry: {
    maxAttempts: 3,
    backoff: { initialMs: 1000, maxMs: 60_000, multiplier: 2, jitter: 0.2 },
  },
  requestedAt: '2024-05-01T12:00:01.250Z',
  acceptedAt: '2024-05-01T12:00:00.000Z',
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  provider: 'webhook',
};

describe('RunRequestSchema', () => {
  it('round-trips through JSON unchanged', () => {
    const parsed = RunRequestSchema.parse(JSON.parse(JSON.stringify(request)));
    expect(parsed).toEqual(request);
    expect(RunRequestSchema.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
  });

  it('needs at least one causing event and a provider name', () => {
    expect(problemsOf(RunRequestSchema, { ...request, eventIds: [], provider: 'E-mail' })).toEqual([
      { path: 'eventIds', message: 'must list at least one event id' },
      { path: 'provider', message: 'must be a provider name like "webhook"' },
    ]);
  });

  it('rejects a malformed trace context and unknown fields', () => {
    expect(problemsOf(RunRequestSchema, { ...request, traceparent: 'abc', extra: 1 })).toEqual([
      { path: 'traceparent', message: 'must be a W3C traceparent' },
      {
        path: 'extra',
        message:
          'unknown key "extra"; allowed keys: runId, triggerId, triggerVersion, owner, target, input, eventIds, dedupeKey, concurrencyKey, concurrency, cancelKey, priority, retry, requestedAt, acceptedAt, traceparent, provider, rerunOf',
      },
    ]);
  });

  it('reports missing fields', () => {
    const { runId: _runId, acceptedAt: _acceptedAt, ...partial } = request;
    expect(problemsOf(RunRequestSchema, partial)).toEqual([
      { path: 'runId', message: 'required' },
      { path: 'acceptedAt', message: 'required' },
    ]);
  });
});
