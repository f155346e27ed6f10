import { definePollFunction } from '@flint/sdk';

interface HealthCheckConfig {
  url: string;
  /** Consecutive failed checks before it fires (default 3). */
  failuresBeforeAlert?: number;
}

/**
 * A health check: fires `{ url, down: true, since }` once `failuresBeforeAlert` checks in a row
 * failed (no answer, or not 2xx). `since` is when the outage began, so one outage is one context
 * (one alert), and the next outage is a new one.
 */
export default definePollFunction({
  name: 'health-check',
  interval: '30s',
  timeout: '10s',
  async run(ctx) {
    const { url, failuresBeforeAlert = 3 } = ctx.config as HealthCheckConfig;
    let healthy: boolean;
    try {
      healthy = (await fetch(url, { signal: AbortSignal.timeout(5000) })).ok;
    } catch {
      healthy = false;
    }
    if (healthy) {
      ctx.state.delete('failures');
      ctx.state.delete('since');
      return { fire: false };
    }
    const failures = (ctx.state.get<number>('failures') ?? 0) + 1;
    const since = ctx.state.get<string>('since') ?? new Date().toISOString();
    ctx.state.set('failures', failures);
    ctx.state.set('since', since);
    ctx.log(`${url} failed ${failures} check(s) in a row`);
    return failures >= failuresBeforeAlert
      ? { fire: true, context: { url, down: true, since } }
      : { fire: false };
  },
});
