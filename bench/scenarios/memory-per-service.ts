import { type EchoLoad, emptySendSummary, sendAtRate, waitForStarted } from '../support/echo-load';
import { residentBytes } from '../support/proc';
import type { ProcessStack } from '../support/process-stack';
import type { Measurement, ScenarioResult } from '../support/result';
import { megabytes, sleep } from '../support/stats';

const RSS_GOAL_MB = 150;

export interface MemoryPerServiceOptions {
  loadRate: number;
  loadMs: number;
  drainTimeoutMs: number;
}

/**
 * RSS of each service in its own process: `idle` (read by the caller with `residentSetSizes` before
 * anything was sent), then in the middle of an end-to-end load (events to
 * the echo trigger at `loadRate`), then once that load's runs all STARTED.
 */
export async function memoryPerService(
  stack: ProcessStack,
  load: EchoLoad,
  idle: Map<string, number>,
  options: MemoryPerServiceOptions,
): Promise<ScenarioResult> {
  const began = Date.now();
  const since = new Date();
  const summary = emptySendSummary(options.loadRate);
  let n = 3_000_000;
  const sending = sendAtRate(options.loadRate, options.loadMs, () => load.send(n++), summary);
  await sleep(options.loadMs / 2);
  const underLoad = await residentSetSizes(stack);
  await sending;
  await waitForStarted(stack, since, summary.accepted, options.drainTimeoutMs);
  const after = await residentSetSizes(stack);

  const measurements: Measurement[] = stack.processes.map(({ name }) => {
    const idleMb = megabytes(idle.get(name) ?? Number.NaN);
    return {
      scenario: 'memory-per-service',
      metric: `${name}: RSS idle`,
      value: idleMb,
      unit: 'MB',
      goal: `≤ ${RSS_GOAL_MB}`,
      met: idleMb <= RSS_GOAL_MB,
      note: `under load ${megabytes(underLoad.get(name) ?? Number.NaN)} MB, after ${megabytes(after.get(name) ?? Number.NaN)} MB`,
    };
  });
  const total = (sample: Map<string, number>) =>
    megabytes([...sample.values()].reduce((a, b) => a + b, 0));
  measurements.push({
    scenario: 'memory-per-service',
    metric: 'all seven: RSS idle',
    value: total(idle),
    unit: 'MB',
    note: `under load ${total(underLoad)} MB, after ${total(after)} MB; load ${options.loadRate} events/s for ${Math.round(options.loadMs / 1000)} s, ${summary.accepted} accepted`,
  });
  return {
    name: 'memory-per-service',
    durationMs: Date.now() - began,
    measurements,
    details: {
      idle: Object.fromEntries(idle),
      underLoad: Object.fromEntries(underLoad),
      after: Object.fromEntries(after),
      load: summary,
    },
  };
}

/** RSS in bytes of every service process, by service name. */
export async function residentSetSizes(stack: ProcessStack): Promise<Map<string, number>> {
  const sample = new Map<string, number>();
  for (const { name, pid } of stack.processes) sample.set(name, await residentBytes(pid));
  return sample;
}
