import { loadavg } from 'node:os';
import { CelEngine } from '@flint/conditions';
import {
  type CloudEvent,
  type Decision,
  DEFAULT_OWNER,
  StoredTriggerSchema,
} from '@flint/contracts';
import { type ArchiveEntry, EventArchiveRepository, openStore, type Store } from '@flint/store';
import type { Principal } from '../../apps/api/src/auth/principal';
import { TriggerBacktest } from '../../apps/api/src/backtest/trigger-backtest';
import { backendsCpu, backendsCpuSpent, createScratchDatabase } from '../support/database';
import type { Measurement, ScenarioResult } from '../support/result';
import { round } from '../support/stats';

const GOAL_SECONDS = 30;
/** Rows per insert while filling the archive: the evaluator's own multi-row statement. */
const INSERT_ROWS = 5_000;
const START = Date.parse('2026-12-01T00:00:00Z');
/** Events arrive 50 ms apart: 1,000,000 of them span about 14 hours (one partition). */
const GAP_MS = 50;

export interface BacktestOptions {
  events: number;
}

/**
 * `TriggerBacktest.run`, the class `POST /api/triggers/backtest` calls, over a scratch archive of
 * `events` webhook pushes, for a draft trigger with a condition (one push in ten is to main), a
 * dedupe key (a commit is pushed twice on average) and an input mapping. The class and not the HTTP
 * route: the answer is a few kilobytes, so the route adds a parse and a serialisation of nothing
 * much, and this keeps the benchmark free of a Nest application; what is timed is the archive read
 * and the simulation, which is all the route does.
 */
export async function backtestSpeed(
  log: (line: string) => void,
  options: BacktestOptions,
): Promise<ScenarioResult> {
  const began = Date.now();
  const database = await createScratchDatabase();
  let store: Store | undefined;
  try {
    store = await openStore({ databaseUrl: database.url, poolMax: 4, dataDir: '' });
    const archive = new EventArchiveRepository(store);
    const fillStart = Date.now();
    await fill(archive, options.events);
    await store.query('ANALYZE event_archive');
    const fillMs = Date.now() - fillStart;
    log(`backtest: ${options.events.toLocaleString('en-US')} events archived in ${fillMs} ms`);

    const engine = await CelEngine.create();
    const principal: Principal = { keyId: 'bench', role: 'admin' };
    const trigger = StoredTriggerSchema.parse({
      kind: 'trigger',
      id: 'bench-backtest',
      version: 1,
      updatedAt: '2026-01-01T00:00:00Z',
      owner: DEFAULT_OWNER,
      eventTypes: ['com.github.push'],
      target: { type: 'local', workflow: 'echo' },
      condition: "event.data.ref == 'refs/heads/main'",
      dedupe: { key: 'event.data.after', window: '1h' },
      input: { commit: 'event.data.after', ref: 'event.data.ref' },
    });
    const backtest = new TriggerBacktest(
      engine,
      archive,
      // Never asked: a draft has no runs of its own to compare with.
      { history: async () => ({ runs: [] }) },
      undefined as never,
      { validateDraft: async () => trigger, sourcesOf: async () => new Map() },
    );
    const from = new Date(START).toISOString();
    const to = new Date(START + options.events * GAP_MS + 1).toISOString();
    const load = loadavg()[0] as number;
    const backendsBefore = await backendsCpu(store);
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    const result = await backtest.run(principal, { trigger, from, to, limit: 10 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    // This process's CPU time (the simulation and the rows' parsing, not PostgreSQL's): steadier
    // than the elapsed time on a machine other processes share.
    const cpuSeconds = (used.user + used.system) / 1e6;
    // PostgreSQL's side of the reads (the index scans and the events' JSON written out).
    const backendsAfter = await backendsCpu(store);
    const postgresSeconds = backendsCpuSpent(backendsBefore, backendsAfter) / 1000;
    const rate = result.events / seconds;
    const measurements: Measurement[] = [
      {
        scenario: 'backtest',
        metric: `seconds to backtest ${options.events.toLocaleString('en-US')} archived events`,
        value: round(seconds, 1),
        unit: 's',
        ...(options.events === 1_000_000 && {
          goal: `< ${GOAL_SECONDS}`,
          met: seconds < GOAL_SECONDS,
        }),
        note:
          `CPU: ${round(cpuSeconds, 1)} s in this process, ${round(postgresSeconds, 1)} s in PostgreSQL; ` +
          `load average ${round(load, 1)} at the start; ` +
          `${result.runs.toLocaleString('en-US')} runs; decisions ${JSON.stringify(result.decisions)}`,
      },
      {
        scenario: 'backtest',
        metric: 'archived events backtested per second',
        value: Math.round(rate),
        unit: 'events/s',
      },
    ];
    return {
      name: 'backtest',
      durationMs: Date.now() - began,
      measurements,
      details: {
        cpuSeconds,
        postgresSeconds,
        load,
        fillMs,
        events: result.events,
        runs: result.runs,
        decisions: result.decisions,
        seconds,
      },
    };
  } finally {
    await store?.close();
    await database.drop();
  }
}

/**
 * Archives `count` pushes to the `github` webhook source as the evaluator would, decisions and all:
 * one push in ten is to main (the others carry the condition's explanation, as the live evaluator
 * stores them), and each commit is pushed twice.
 */
async function fill(archive: EventArchiveRepository, count: number): Promise<void> {
  const engineDecision = (n: number, ref: string): Decision =>
    ref === 'refs/heads/main'
      ? {
          triggerId: 'deploy',
          triggerVersion: 1,
          outcome: 'matched',
          message: 'fired: a run was requested',
          runId: `deploy.${n}`,
        }
      : {
          triggerId: 'deploy',
          triggerVersion: 1,
          outcome: 'condition_false',
          message: `the condition was false: event.data.ref == 'refs/heads/main' is '${ref}' == 'refs/heads/main'`,
          condition: {
            expression: "event.data.ref == 'refs/heads/main'",
            evaluated: `'${ref}' == 'refs/heads/main'`,
            operands: [
              { expression: 'event.data.ref', value: `'${ref}'` },
              { expression: "'refs/heads/main'", value: "'refs/heads/main'" },
            ],
          },
        };
  for (let first = 0; first < count; first += INSERT_ROWS) {
    const entries: ArchiveEntry[] = [];
    for (let n = first; n < Math.min(count, first + INSERT_ROWS); n++) {
      const event = pushEvent(n);
      const ref = (event.data as { ref: string }).ref;
      entries.push({
        acceptedAt: new Date(event.flintacceptedat),
        eventId: event.id,
        owner: DEFAULT_OWNER,
        sourceId: event.flintsourceid,
        provider: event.flintprovider,
        type: event.type,
        event: event as unknown as Record<string, unknown>,
        fromFlint: true,
        fired: ref === 'refs/heads/main' ? ['deploy'] : [],
        decisions: [engineDecision(n, ref)],
        decisionsOmitted: 0,
      });
    }
    await archive.write(entries);
  }
}

function pushEvent(n: number): CloudEvent {
  const at = new Date(START + n * GAP_MS).toISOString();
  // Each commit is pushed twice in a row, to the same ref; Knuth's multiplicative hash scatters
  // the commits, so pushes to main are spread over the range.
  const commit = Math.floor(n / 2);
  const m = (commit * 2654435761) >>> 0;
  return {
    specversion: '1.0',
    id: `bench-push-${n}`,
    source: 'flint/webhook/github',
    type: 'com.github.push',
    time: at,
    datacontenttype: 'application/json',
    data: {
      ref: m % 10 === 0 ? 'refs/heads/main' : `refs/heads/feature-${m % 97}`,
      after: `c${commit}`,
      repository: { full_name: 'acme/shop', private: false },
      pusher: { name: `dev${m % 13}` },
    },
    flintsourceid: 'github',
    flintprovider: 'webhook',
    flintacceptedat: at,
    flintowner: DEFAULT_OWNER,
  };
}
