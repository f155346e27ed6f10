import { errorText, type Log } from '@flint/common';
import { CelEvaluationError, type CompiledTrigger } from '@flint/conditions';
import { type CloudEvent, encodeRunRequest } from '@flint/contracts';
import type { OutgoingRecord } from '@flint/kafka';
import { z } from 'zod';
import { MetricsTally } from '../evaluator-metrics';
import type { RunRequestMaker } from '../pipeline/run-request-maker';
import type { EmitBatch } from './batch-manager';

export interface BatchEmitterOptions {
  runs: RunRequestMaker;
  runsTopic: string;
  send: (records: OutgoingRecord[]) => Promise<unknown>;
  metrics: { apply(tally: MetricsTally): void };
  log: Log;
}

/**
 * Sends a closed batch's (or a due debounce's) run request. A batch whose input mapping fails on its events counts as one
 * `result="error"` and is done with: retrying would fail the same way.
 */
export function batchEmitter(options: BatchEmitterOptions): EmitBatch {
  return async (trigger: CompiledTrigger, events: CloudEvent[]) => {
    const tally = new MetricsTally();
    const first = events[0];
    if (first === undefined) return;
    try {
      const request = trigger.expect
        ? options.runs.forExpectation(trigger, events)
        : trigger.debounce
          ? options.runs.forDebounce(trigger, events)
          : options.runs.forBatch(trigger, events);
      await options.send([{ topic: options.runsTopic, ...encodeRunRequest(request) }]);
      tally.runRequest(request.provider);
    } catch (err) {
      if (!(err instanceof CelEvaluationError || err instanceof z.ZodError)) throw err;
      options.log('warn', 'a batch could not be turned into a run request; it is dropped', {
        triggerId: trigger.id,
        eventIds: events.map((event) => event.id),
        error: errorText(err),
      });
      tally.filter(first.flintprovider, 'error');
    }
    options.metrics.apply(tally);
  };
}
