import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Fault, chaosProblems, chaosSummary, runChaos } from '../test/support/chaos/chaos-run';

/**
 * `npm run chaos`: Flint under steady webhook load while every part of it dies in turn — kill -9 of
 * each service, the broker and PostgreSQL, then a SIGTERM rolling restart of every service, then the
 * second replica of the evaluator and of the runner killed (both run twice throughout) — and the
 * figures: accepted, lost, duplicate runs, repeated target calls, time to recover per fault. Exits 1
 * on any loss or duplicate run. The npm script compiles the services first (they run as deployed).
 */
const FAULTS: Fault[] = [
  ...(['webhook', 'evaluator', 'runner', 'api', 'broker', 'postgres'] as const).map(
    (target): Fault => ({ target, signal: 'SIGKILL' }),
  ),
  ...(['api', 'webhook', 'evaluator', 'runner'] as const).map((target): Fault => ({
    target,
    signal: 'SIGTERM',
  })),
  { target: 'evaluator', signal: 'SIGKILL', replica: 2 },
  { target: 'runner', signal: 'SIGKILL', replica: 2 },
];

async function main(): Promise<void> {
  const rate = Number(process.env.FLINT_CHAOS_RATE ?? 20);
  if (!Number.isFinite(rate) || rate <= 0) {
    throw new Error(`FLINT_CHAOS_RATE must be a positive number of events per second, not ${rate}`);
  }
  const logDir = mkdtempSync(join(tmpdir(), 'flint-chaos-logs-'));
  const report = await runChaos({
    rate,
    faults: FAULTS,
    replicas: ['evaluator', 'runner'],
    downMs: 3_000,
    settleMs: 10_000,
    recoveryTimeoutMs: 180_000,
    drainTimeoutMs: 300_000,
    log: (line) => console.log(`[chaos] ${line}`),
    logDir,
  });
  console.log(`\nchaos run at ${rate} events/s:`);
  for (const line of chaosSummary(report)) console.log(`  ${line}`);
  console.log(`  service logs: ${logDir}`);
  const problems = chaosProblems(report);
  if (problems.length > 0) {
    console.error(`\nFAILED: ${problems.join('; ')}`);
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
