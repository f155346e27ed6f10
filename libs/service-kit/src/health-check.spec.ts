import { type HealthCheck, HealthReporter } from './health-check';

const healthy = (name: string): HealthCheck => ({ name, check: async () => undefined });
const failing = (name: string, reason: string): HealthCheck => ({
  name,
  check: async () => {
    throw new Error(reason);
  },
});
const hanging = (name: string): HealthCheck => ({
  name,
  check: () => new Promise(() => undefined),
});

describe('HealthReporter', () => {
  it('is ok when every dependency answers', async () => {
    const report = await new HealthReporter('api', [
      healthy('kafka'),
      healthy('database'),
    ]).report();
    expect(report.status).toBe('ok');
    expect(report.service).toBe('api');
    expect(report.checks.kafka.ok).toBe(true);
    expect(report.checks.database.ok).toBe(true);
  });

  it('is unhealthy and names the reason when one dependency fails', async () => {
    const report = await new HealthReporter('runner', [
      healthy('database'),
      failing('kafka', 'connect ECONNREFUSED 127.0.0.1:9092'),
    ]).report();
    expect(report.status).toBe('unhealthy');
    expect(report.checks.kafka).toMatchObject({
      ok: false,
      error: 'connect ECONNREFUSED 127.0.0.1:9092',
    });
    expect(report.checks.database.ok).toBe(true);
  });

  it('bounds a check that never answers by the timeout', async () => {
    const report = await new HealthReporter('cron', [hanging('database')], 50).report();
    expect(report.status).toBe('unhealthy');
    expect(report.checks.database.error).toBe('no answer within 50 ms');
  });
});
