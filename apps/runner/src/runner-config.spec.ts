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
    });
    expect(config.holder).toContain(`/${process.pid}/`);
    expect(runnerConfigFromEnv({}).holder).not.toBe(config.holder);
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
