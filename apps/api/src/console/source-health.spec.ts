import type { SourceStatusRow } from '@flint/store';
import { sourceHealth } from './source-health';

const at = new Date('2026-05-01T12:00:00Z');
const report = (state: string, extra: Partial<SourceStatusRow> = {}): SourceStatusRow => ({
  sourceId: 'github',
  replica: `r-${state}`,
  provider: 'webhook',
  version: 1,
  state,
  reportedAt: at,
  ...extra,
});
const webhook = { provider: 'webhook' as const, enabled: true };

describe('sourceHealth', () => {
  it('is disabled or passive whatever the reports say', () => {
    expect(sourceHealth({ ...webhook, enabled: false }, [report('running')]).state).toBe(
      'disabled',
    );
    expect(sourceHealth({ provider: 'event', enabled: true }, []).state).toBe('passive');
  });

  it('is down, naming the service, when no replica reported it', () => {
    expect(sourceHealth({ provider: 'file', enabled: true }, [])).toEqual({
      state: 'down',
      message:
        'no file-watcher service reported this source in the last 30 seconds; is the file-watcher service running?',
      replicas: 0,
    });
  });

  it('is up when one replica runs it, even while others wait for the lease', () => {
    expect(
      sourceHealth(webhook, [
        report('waiting-for-lease'),
        report('running', { reportedAt: new Date(at.getTime() + 5) }),
      ]),
    ).toEqual({ state: 'up', replicas: 2, reportedAt: '2026-05-01T12:00:00.005Z' });
  });

  it('says why it failed or is invalid, failed first', () => {
    expect(
      sourceHealth(webhook, [
        report('invalid', { error: 'secret not configured' }),
        report('failed', { error: 'connect ECONNREFUSED' }),
      ]),
    ).toMatchObject({ state: 'failed', message: 'connect ECONNREFUSED', replicas: 2 });
    expect(sourceHealth(webhook, [report('invalid', { error: 'bad' })])).toMatchObject({
      state: 'invalid',
      message: 'bad',
    });
    expect(sourceHealth(webhook, [report('starting')]).state).toBe('starting');
  });

  it('is failing while its last attempts failed, with the latest error, and up again after a success', () => {
    const poller = { provider: 'poller' as const, enabled: true };
    const failedAt = new Date('2026-05-01T11:59:50Z');
    const failing = report('running', {
      lastError: 'GET http://127.0.0.1/items answered 404',
      lastErrorAt: failedAt,
      consecutiveFailures: 3,
    });
    expect(sourceHealth(poller, [failing])).toEqual({
      state: 'failing',
      message: 'GET http://127.0.0.1/items answered 404',
      lastError: 'GET http://127.0.0.1/items answered 404',
      lastErrorAt: '2026-05-01T11:59:50.000Z',
      consecutiveFailures: 3,
      replicas: 1,
      reportedAt: '2026-05-01T12:00:00.000Z',
    });
    const recovered = { ...failing, consecutiveFailures: 0, lastSuccessAt: at };
    expect(sourceHealth(poller, [recovered])).toEqual({
      state: 'up',
      lastSuccessAt: '2026-05-01T12:00:00.000Z',
      lastError: 'GET http://127.0.0.1/items answered 404',
      lastErrorAt: '2026-05-01T11:59:50.000Z',
      consecutiveFailures: 0,
      replicas: 1,
      reportedAt: '2026-05-01T12:00:00.000Z',
    });
  });

  it('shows the worst running replica: one replica failing every call is enough', () => {
    expect(
      sourceHealth(webhook, [
        report('running', { replica: 'a', consecutiveFailures: 0 }),
        report('running', { replica: 'b', consecutiveFailures: 2, lastError: 'refused' }),
      ]),
    ).toMatchObject({ state: 'failing', message: 'refused', consecutiveFailures: 2, replicas: 2 });
  });
});
