import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describeIfPostgres } from '../../support/postgres';
import { EvaluatorTestBed, testEvent } from './evaluator-harness';

/** The definitions of docs/triggers.md's "From Pynenc" block, exactly as the page shows them. */
function documentedDefinitions(): Record<string, unknown>[] {
  const page = readFileSync(join(__dirname, '../../../docs/triggers.md'), 'utf8');
  const section = page.slice(page.indexOf('### From Pynenc'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('docs/triggers.md has no "From Pynenc" YAML block');
  return parseAllDocuments(block).map((document) => document.toJS() as Record<string, unknown>);
}

let runs = 0;

/** A run-status event as the runner publishes it. */
function finished(workflow: string, data: Record<string, unknown>) {
  runs++;
  const status = data.status as string;
  return testEvent(`trigger-of-${workflow}`, {
    id: `run-${runs}:${status.toLowerCase()}`,
    type: `flint.run.${status.toLowerCase()}`,
    source: 'flint/runner',
    flintprovider: 'runner',
    data: {
      runId: `run-${runs}`,
      triggerId: `trigger-of-${workflow}`,
      workflow,
      attempt: 1,
      ...data,
    },
  });
}

describeIfPostgres("the Pynenc guide's triggers, written for Flint", () => {
  const bed = new EvaluatorTestBed('pynenc');

  beforeAll(async () => {
    await bed.setUp('pynenc');
  });

  afterAll(async () => {
    await bed.stopAll();
    await bed.tearDown();
  });

  it('fire on the statuses, results and exceptions the guide names', async () => {
    await bed.define(...documentedDefinitions());
    await bed.startEvaluator();
    const gave2_5 = finished('division', { status: 'SUCCEEDED', result: 2.5 });
    const gave3 = finished('division', { status: 'SUCCEEDED', result: 3 });
    const divisionFailed = finished('division', {
      status: 'FAILED',
      error: { type: 'ValueError', message: 'negative' },
    });
    const byZero = finished('divide', {
      status: 'FAILED',
      input: { x: 1, y: 0 },
      error: { type: 'ZeroDivisionError', message: 'division by zero' },
    });
    const valueError = finished('divide', {
      status: 'FAILED',
      input: { x: -1, y: 2 },
      error: { type: 'ValueError', message: 'Negative numbers not allowed' },
    });
    const completed = finished('process-order', {
      status: 'SUCCEEDED',
      result: { status: 'completed' },
    });
    const pending = finished('process-order', {
      status: 'SUCCEEDED',
      result: { status: 'pending' },
    });
    const extracted7 = finished('extract', { status: 'SUCCEEDED', input: { batch: 7 } });
    const loaded8 = finished('load', { status: 'SUCCEEDED', input: { batch: 8 } });
    const loaded7 = finished('load', { status: 'SUCCEEDED', input: { batch: 7 } });
    await bed.publish(gave2_5, gave3, divisionFailed, byZero, valueError, completed, pending);
    await bed.publish(extracted7, loaded8, loaded7);

    const causes = async (triggerId: string, count: number) =>
      (await bed.waitForRuns(triggerId, count)).map((run) => run.eventIds);
    expect(await causes('success-handler', 2)).toEqual([[gave2_5.id], [gave3.id]]);
    expect(await causes('result-handler', 3)).toEqual([
      [gave2_5.id],
      [gave3.id],
      [divisionFailed.id],
    ]);
    expect(await causes('specific-result-handler', 1)).toEqual([[gave2_5.id]]);
    expect(await causes('combined-or-trigger', 3)).toEqual([
      [gave2_5.id],
      [gave3.id],
      [divisionFailed.id],
    ]);
    expect(await causes('combined-and-trigger', 2)).toEqual([[gave2_5.id], [gave3.id]]);
    const [batchDone] = await bed.waitForRuns('batch-done', 1);
    expect(batchDone!.eventIds).toEqual([extracted7.id, loaded7.id]);
    const [zero] = await bed.waitForRuns('report-div-zero-error', 1);
    expect(zero).toMatchObject({
      eventIds: [byZero.id],
      input: {
        original_args: 'x=1, y=0',
        exception_type: 'ZeroDivisionError',
        exception_message: 'division by zero',
      },
    });
    expect((await bed.waitForRuns('report-any-exception', 2)).map((run) => run.input)).toEqual([
      { exception_type: 'ZeroDivisionError' },
      { exception_type: 'ValueError' },
    ]);
    expect(await causes('notify-completed', 1)).toEqual([[completed.id]]);

    // Nothing more comes: a last event every run-status trigger of division takes marks the end.
    const last = finished('division', { status: 'SUCCEEDED', result: 2.5 });
    await bed.publish(last);
    await bed.waitForRuns('specific-result-handler', 2);
    expect(bed.runsOf('report-div-zero-error')).toHaveLength(1);
    expect(bed.runsOf('notify-completed')).toHaveLength(1);
    expect(bed.runsOf('success-handler')).toHaveLength(3);
    expect(bed.runsOf('batch-done')).toHaveLength(1);
  });
});
