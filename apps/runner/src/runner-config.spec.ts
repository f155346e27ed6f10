import { ConfigError } from '@flint/service-kit';
import { runnerConfigFromEnv } from './runner-config';

describe('runnerConfigFromEnv', () => {
  it('has defaults and a holder name unique to this runner', () => {
    const config = runnerConfigFromEnv({});
    expect(config).toMatchObject({
      groupId: 'flint-runner',
      pollIntervalMs: 1000,
      maxInFlight: 250,
      leaseGraceMs: 30_000,
      drainTimeoutMs: 10_000,
      kafkaTargetTimeoutMs: 30_000,
      runRetentionMs: 30 * 24 * 3600 * 1000,
      deletedSourceStateRetentionMs: 7 * 24 * 3600 * 1000,
    });
    expect(config.holder).toContain(`/${process.pid}/`);
    expect(runnerConfigFromEnv({}).holder).not.toBe(config.holder);
  });

  it("reads the retention of deleted sources' state in days, from 1", () => {
    expect(
      runnerConfigFromEnv({ FLINT_DELETED_SOURCE_STATE_RETENTION_DAYS: '2' })
        .deletedSourceStateRetentionMs,
    ).toBe(2 * 24 * 3600 * 1000);
    expect(() => runnerConfigFromEnv({ FLINT_DELETED_SOURCE_STATE_RETENTION_DAYS: '0' })).toThrow(
      /FLINT_DELETED_SOURCE_STATE_RETENTION_DAYS/,
    );
  });

  it('names every bad variable', () => {
    expect(() =>
      runnerConfigFromEnv({
        FLINT_RUNNER_POLL_INTERVAL_MS: 'often',
        FLINT_RUNNER_MAX_IN_FLIGHT: '0',
      }),
    ).toThrow(ConfigError);
    expect(() =>
      runnerConfigFromEnv({
        FLINT_RUNNER_POLL_INTERVAL_MS: 'often',
        FLINT_RUNNER_MAX_IN_FLIGHT: '0',
      }),
    ).toThrow(/FLINT_RUNNER_POLL_INTERVAL_MS: .*; FLINT_RUNNER_MAX_IN_FLIGHT: /);
  });
});
