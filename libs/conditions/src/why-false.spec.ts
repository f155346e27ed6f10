import { CelEngine } from './cel-engine';
import { EventContext } from './event-context';
import { eventView } from './event-context';
import { toCel } from './json-value';
import { compileTriggerExpressions } from './trigger-expressions';
import { conditionExplainer, matchExplainer, missDecision } from './why-false';
import type { CloudEvent } from '@flint/contracts';

const event = (data: unknown): CloudEvent => ({
  specversion: '1.0',
  id: 'e1',
  source: 'test',
  type: 'com.example.push',
  time: '2026-12-06T10:00:00Z',
  flintsourceid: 'hook',
  flintprovider: 'webhook',
  flintacceptedat: '2026-12-06T10:00:00Z',
  data,
});

describe('why a condition was false', () => {
  let engine: CelEngine;
  beforeAll(async () => {
    engine = await CelEngine.create();
  });
  const explain = (condition: string, data: unknown) =>
    conditionExplainer(engine, condition, ['event', 'trigger'])({
      event: toCel(eventView(event(data))),
      trigger: toCel({}),
    });

  it('names a false comparison with its operands’ values written as CEL', () => {
    expect(explain("event.data.ref == 'refs/heads/main'", { ref: 'refs/heads/dev' })).toEqual({
      expression: "event.data.ref == 'refs/heads/main'",
      evaluated: "'refs/heads/dev' == 'refs/heads/main'",
      operands: [
        { expression: 'event.data.ref', value: "'refs/heads/dev'" },
        { expression: "'refs/heads/main'", value: "'refs/heads/main'" },
      ],
    });
  });

  it('finds the first false part of a conjunction, through parentheses', () => {
    const condition =
      "event.data.ok && (event.data.n > 3 && event.data.ref.startsWith('refs/tags/')) && true";
    expect(explain(condition, { ok: true, n: 2, ref: 'refs/tags/v1' })).toMatchObject({
      expression: 'event.data.n > 3',
      evaluated: '2 > 3',
    });
    expect(explain(condition, { ok: true, n: 5, ref: 'refs/heads/x' })).toMatchObject({
      expression: "event.data.ref.startsWith('refs/tags/')",
      evaluated: 'false',
    });
  });

  it('shows both sides of a false disjunction and the operand of a negation', () => {
    expect(explain('(event.data.n > 3 || event.data.force)', { n: 1, force: false })).toEqual({
      expression: 'event.data.n > 3 || event.data.force',
      evaluated: 'false || false',
      operands: [
        { expression: 'event.data.n > 3', value: 'false' },
        { expression: 'event.data.force', value: 'false' },
      ],
    });
    expect(explain('!event.data.draft', { draft: true })).toMatchObject({
      expression: '!event.data.draft',
      evaluated: '!true',
    });
  });

  it('cuts long values short', () => {
    const miss = explain("event.data.text == 'x'", { text: 'y'.repeat(1000) });
    expect(miss.operands[0]?.value.length).toBeLessThanOrEqual(200);
    expect(miss.evaluated.length).toBeLessThanOrEqual(200);
  });

  it('names the match field that differed, and the trigger filter explains either', () => {
    expect(
      matchExplainer({ 'data.ref': 'main', 'data.n': { gt: 1 } })(
        eventView(event({ ref: 'main', n: 0 })),
      ),
    ).toEqual({
      field: 'data.n',
      expected: '{"gt":1}',
      got: '0',
    });
    const filter = compileTriggerExpressions(engine, {
      match: { 'data.kind': 'push' },
      condition: "event.data.ref == 'refs/heads/main'",
    }).filter;
    const wrongKind = new EventContext(event({ kind: 'tag', ref: 'refs/heads/main' }));
    expect(filter.matches(wrongKind, {})).toBe(false);
    expect(missDecision(filter.explain(wrongKind, {}))).toMatchObject({
      outcome: 'match_differed',
      message: 'match field data.kind differed: expected "push", got "tag"',
    });
    const wrongRef = new EventContext(event({ kind: 'push', ref: 'refs/heads/dev' }));
    expect(missDecision(filter.explain(wrongRef, {}))).toMatchObject({
      outcome: 'condition_false',
      message:
        "the condition was false: event.data.ref == 'refs/heads/main' is 'refs/heads/dev' == 'refs/heads/main'",
    });
  });
});
