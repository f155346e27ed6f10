import { type Fault, chaosProblems, chaosSummary, runChaos } from '../support/chaos/chaos-run';
import { OwnPostgres } from '../support/chaos/own-postgres';

/**
 * The shortened `npm run chaos`: the services compiled, each in its own process, on a broker and a
 * PostgreSQL server of their own, under steady webhook load, while the webhook, the evaluator, the
 * runner, PostgreSQL and the broker are each killed with SIGKILL and started again, and the evaluator
 * is restarted with SIGTERM. Nothing accepted may be lost and no event may get two runs.
 */
const FAULTS: Fault[] = [
  { target: 'webhook', signal: 'SIGKILL' },
  { target: 'evaluator', signal: 'SIGKILL' },
  { target: 'runner', signal: 'SIGKILL' },
  { target: 'postgres', signal: 'SIGKILL' },
  { target: 'broker', signal: 'SIGKILL' },
  { target: 'evaluator', signal: 'SIGTERM' },
];

const canRun = OwnPostgres.available() || Boolean(process.env.CI);
if (!canRun) {
  console.warn(
    'initdb is not on PATH: the chaos test, which needs a PostgreSQL server of its own, is SKIPPED',
  );
}

(canRun ? describe : describe.skip)('Flint while its parts are killed under load', () => {
  it(
    'loses no accepted event and starts no run twice',
    async () => {
      const report = await runChaos({
        rate: 10,
        faults: FAULTS,
        downMs: 2_000,
        settleMs: 3_000,
        recoveryTimeoutMs: 240_000,
        drainTimeoutMs: 240_000,
        log: () => undefined,
      });
      console.log(`chaos (short):\n  ${chaosSummary(report).join('\n  ')}`);
      expect(chaosProblems(report)).toEqual([]);
      expect(report.faults.map(({ target, signal }) => ({ target, signal }))).toEqual(FAULTS);
      expect(report.accepted).toBeGreaterThan(100);
    },
    20 * 60_000,
  );
});
