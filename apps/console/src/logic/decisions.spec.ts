import type { Decision } from '@flint/contracts';
import {
  decisionRun,
  informativeOperands,
  outcomeLabel,
  replayOne,
  sortDecisions,
} from './decisions';

const decision = (triggerId: string, outcome: Decision['outcome'], runId?: string): Decision => ({
  triggerId,
  outcome,
  message: outcome,
  ...(runId ? { runId } : {}),
});

describe('what each trigger made of an event', () => {
  it('names every outcome in words with a tone', () => {
    expect(outcomeLabel('matched')).toEqual({ label: 'Fired', tone: 'ok' });
    expect(outcomeLabel('condition_false')).toEqual({ label: 'Condition false', tone: 'muted' });
    expect(outcomeLabel('error')).toEqual({ label: 'Error', tone: 'bad' });
  });

  it('lists the triggers it fired first, then failures, then held, then the rest', () => {
    const sorted = sortDecisions([
      decision('zeta', 'condition_false'),
      decision('beta', 'batched'),
      decision('gamma', 'error'),
      decision('delta', 'matched', 'delta.1'),
      decision('alpha', 'matched', 'alpha.1'),
      decision('eta', 'rate_limited', 'eta.1'),
    ]);
    expect(sorted.map((d) => d.triggerId)).toEqual([
      'alpha',
      'delta',
      'gamma',
      'beta',
      'eta',
      'zeta',
    ]);
  });

  it('says how a decision relates to its run', () => {
    expect(decisionRun(decision('a', 'matched', 'a.1'))).toEqual({
      runId: 'a.1',
      label: 'Started',
    });
    expect(decisionRun(decision('a', 'deduplicated', 'a.0'))).toEqual({
      runId: 'a.0',
      label: 'Went to',
    });
    expect(decisionRun(decision('a', 'condition_false'))).toBeUndefined();
  });

  it('shows the operands of a false condition that are not literals', () => {
    expect(
      informativeOperands({
        expression: 'event.data.total > 100',
        evaluated: '40 > 100',
        operands: [
          { expression: 'event.data.total', value: '40' },
          { expression: '100', value: '100' },
        ],
      }),
    ).toEqual([{ expression: 'event.data.total', value: '40' }]);
    expect(informativeOperands(undefined)).toEqual([]);
  });

  it('replays one event: its own millisecond, its source and its id', () => {
    const event = { id: 'order-"7"', sourceId: 'shop', acceptedAt: '2026-12-06T13:59:26.203Z' };
    expect(replayOne(event, { rerun: false })).toEqual({
      since: '2026-12-06T13:59:26.203Z',
      until: '2026-12-06T13:59:26.204Z',
      source: 'shop',
      filter: 'event.id == "order-\\"7\\""',
    });
    expect(replayOne(event, { trigger: 'big-orders', rerun: true })).toMatchObject({
      trigger: 'big-orders',
      rerun: true,
    });
  });
});
