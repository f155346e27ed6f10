import { DefinitionSchema } from '@flint/contracts';
import { type BenchStack, startBenchStack } from '../support/bench-stack';
import type { Measurement, ScenarioResult } from '../support/result';
import { round } from '../support/stats';
import { type LoadResult, runLoad, waitForAccepting } from './webhook';

/** Issue 18: the archive may not lower the webhook ingest rate by more than 10 %. */
const GOAL_RATIO = 0.9;

export interface ArchiveOptions {
  connections: number;
  durationS: number;
  /** Rounds of (archive on, archive off); alternating evens out the machine's drift. */
  rounds: number;
}

interface Round {
  archive: 'on' | 'off';
  rate: number;
  load: LoadResult;
  /** Events in the archive once the evaluator caught up (0 with the archive off). */
  archived: number;
}

/**
 * Webhook ingest on the local stack (every service in one process, as `npm start` runs them) with
 * the event archive on and then off, in alternating rounds of the same load: what archiving costs
 * the ingest path on a machine where the evaluator that archives shares the CPU with the webhook.
 * A trigger whose condition is false for every event makes the evaluator explain each drop, so the
 * archive holds a decision with the false part of the condition for every event: the dearest case.
 */
export async function archiveCost(
  log: (line: string) => void,
  options: ArchiveOptions,
): Promise<ScenarioResult> {
  const began = Date.now();
  const rounds: Round[] = [];
  for (let i = 0; i < options.rounds; i++) {
    for (const archive of ['on', 'off'] as const) {
      log(`archive ${archive}, round ${i + 1} of ${options.rounds}`);
      rounds.push(await oneRound(log, archive, options));
    }
  }
  const rate = (archive: 'on' | 'off') => {
    const of = rounds.filter((r) => r.archive === archive);
    return of.reduce((sum, r) => sum + r.rate, 0) / of.length;
  };
  const ratio = rate('on') / rate('off');
  const archivedShare =
    rounds.filter((r) => r.archive === 'on').reduce((sum, r) => sum + r.archived, 0) /
    rounds.filter((r) => r.archive === 'on').reduce((sum, r) => sum + r.load.accepted, 0);
  const measurements: Measurement[] = [
    {
      scenario: 'archive',
      metric: 'webhook events acked per second, archive on (local stack)',
      value: round(rate('on')),
      unit: 'events/s',
      note: `${options.rounds} rounds of ${options.durationS} s, ${options.connections} connections`,
    },
    {
      scenario: 'archive',
      metric: 'webhook events acked per second, archive off (local stack)',
      value: round(rate('off')),
      unit: 'events/s',
    },
    {
      scenario: 'archive',
      metric: 'ingest with the archive as a share of without, same run',
      value: round(ratio, 3),
      unit: '×',
      goal: `≥ ${GOAL_RATIO}`,
      met: ratio >= GOAL_RATIO,
    },
    {
      scenario: 'archive',
      metric: 'accepted events found in the archive afterwards (archive on)',
      value: round(archivedShare, 3),
      unit: '×',
      note: 'the warm-up events are archived too, so slightly above 1 when nothing is lost',
    },
  ];
  return {
    name: 'archive',
    durationMs: Date.now() - began,
    measurements,
    details: { ...options, rounds },
  };
}

async function oneRound(
  log: (line: string) => void,
  archive: 'on' | 'off',
  options: ArchiveOptions,
): Promise<Round> {
  const stack = await startBenchStack(log, { FLINT_EVENT_ARCHIVE: archive });
  try {
    await define(stack);
    const url = new URL('/hooks/demo', stack.webhookUrl).toString();
    await waitForAccepting(url);
    const load = await runLoad({
      url,
      connections: options.connections,
      durationS: options.durationS,
    });
    const archived = archive === 'on' ? await caughtUp(stack, load.accepted) : 0;
    return { archive, rate: load.accepted / load.durationS, load, archived };
  } finally {
    await stack.stop();
  }
}

async function define(stack: BenchStack): Promise<void> {
  await stack.apply([
    DefinitionSchema.parse({
      kind: 'source',
      id: 'demo',
      provider: 'webhook',
      config: { path: 'demo', auth: { type: 'none' } },
    }),
    DefinitionSchema.parse({
      kind: 'trigger',
      id: 'never',
      sources: ['demo'],
      condition: "event.data.hello == 'nobody' && event.data.bench == true",
      target: { type: 'local', workflow: 'echo' },
    }),
  ]);
}

/** Waits (up to a minute) until the evaluator archived at least `accepted` events. */
async function caughtUp(stack: BenchStack, accepted: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  let archived = 0;
  while (Date.now() < deadline) {
    const [row] = await stack.store.query<{ count: string }>(
      'SELECT count(*)::text AS count FROM event_archive',
    );
    archived = Number(row?.count ?? 0);
    if (archived >= accepted) return archived;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return archived;
}
