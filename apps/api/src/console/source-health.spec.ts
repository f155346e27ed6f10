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
});
