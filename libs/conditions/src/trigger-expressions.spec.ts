import { CelEngine } from './cel-engine';
import { CelEvaluationError } from './errors';
import { EventContext } from './event-context';
import { sampleEvent } from './test-events';
import {
  compileTriggerExpressions,
  inputScopeOf,
  TriggerExpressionError,
  triggerExpressionProblems,
} from './trigger-expressions';

describe('trigger expressions', () => {
  let engine: CelEngine;
  const event = new EventContext(sampleEvent());
  const trigger = { id: 'deploy' };

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  it('filters with match and condition together', () => {
    const { filter } = compileTriggerExpressions(engine, {
      match: { 'data.role': 'admin' },
      condition: 'event.data.amount > 1000',
    });
    expect(filter.matches(event, trigger)).toBe(true);
    const strict = compileTriggerExpressions(engine, {
      match: { 'data.role': 'admin' },
      condition: 'event.data.amount > 2000',
    });
    expect(strict.filter.matches(event, trigger)).toBe(false);
    const shorthandFails = compileTriggerExpressions(engine, {
      match: { 'data.role': 'user' },
      // Never reached: a failing match decides before the condition runs.
      condition: 'event.data.nope == 1',
    });
    expect(shorthandFails.filter.matches(event, trigger)).toBe(false);
    expect(compileTriggerExpressions(engine, {}).filter.matches(event, trigger)).toBe(true);
  });

  it('lets the condition see the trigger', () => {
    const { filter } = compileTriggerExpressions(engine, { condition: "trigger.id == 'deploy'" });
    expect(filter.matches(event, trigger)).toBe(true);
    expect(filter.matches(event, { id: 'other' })).toBe(false);
  });

  it('throws CelEvaluationError when a condition fails or gives no bool', () => {
    const missing = compileTriggerExpressions(engine, { condition: 'event.data.nope == 1' });
    expect(() => missing.filter.matches(event, trigger)).toThrow(CelEvaluationError);
    const notBool = compileTriggerExpressions(engine, { condition: 'event.data.role' });
    expect(() => notBool.filter.matches(event, trigger)).toThrow(
      'the condition must give true or false, but gave the string "admin"',
    );
  });

  it('evaluates key expressions to strings', () => {
    const compiled = compileTriggerExpressions(engine, {
      dedupe: { key: 'event.data.ref' },
      batch: { key: 'event.data.amount' },
      concurrency: { key: "{'r': event.data.role}" },
    });
    const activation = { event: event.cel, trigger };
    expect(compiled.dedupeKey?.evaluate(activation)).toBe('refs/heads/main');
    expect(compiled.batchKey?.evaluate(activation)).toBe('1500');
    expect(compiled.concurrencyKey?.evaluate(activation)).toBe('{"r":"admin"}');
    const empty = compileTriggerExpressions(engine, { dedupe: { key: "''" } });
    expect(() => empty.dedupeKey?.evaluate(activation)).toThrow('the key is an empty string');
  });

  it('refuses a key that is too long or not JSON', () => {
    const compiled = compileTriggerExpressions(engine, {
      dedupe: { key: "event.data.tags.map(t, t + '" + 'x'.repeat(600) + "')" },
      correlate: "b'x'",
    });
    const activation = { event: event.cel, trigger };
    expect(() => compiled.dedupeKey?.evaluate(activation)).toThrow(
      /^the key is 12\d\d characters long; at most 1024 are allowed$/,
    );
    expect(() => compiled.correlate?.evaluate(activation)).toThrow('not JSON');
  });

  it('evaluates the priority to a whole number in range, or says why it cannot', () => {
    const activation = { event: event.cel, trigger };
    const priority = (source: string | number) =>
      compileTriggerExpressions(engine, { priority: source }).priority?.evaluate(activation);
    expect(priority("event.data.role == 'admin' ? 10 : 0")).toBe(10);
    // JSON numbers are doubles in CEL; a whole one is a priority.
    const levelled = new EventContext(sampleEvent({ data: { level: 3 } }));
    expect(
      compileTriggerExpressions(engine, { priority: 'event.data.level' }).priority?.evaluate({
        event: levelled.cel,
        trigger,
      }),
    ).toBe(3);
    expect(priority('int(event.data.price)')).toBe(9);
    expect(priority(-7)).toBe(-7);
    expect(compileTriggerExpressions(engine, {}).priority).toBeUndefined();
    expect(() => priority('event.data.price')).toThrow(
      'the priority must be a whole number, but the expression gave the number 9.5',
    );
    expect(() => priority('event.data.role')).toThrow(
      'the priority must be a whole number, but the expression gave the string "admin"',
    );
    expect(() => priority('event.data.amount')).toThrow(
      'the priority 1500 is outside the allowed range -100 to 100',
    );
    expect(() => priority('event.data.nope')).toThrow(CelEvaluationError);
  });

  it('refuses a priority expression that cannot give a whole number, with its position', () => {
    expect(triggerExpressionProblems(engine, { priority: "'high'" })).toEqual([
      {
        path: 'priority',
        message: 'must be a whole number (int), but it evaluates to string (at line 1, column 1)',
        position: { line: 1, column: 1, offset: 0 },
      },
    ]);
    expect(triggerExpressionProblems(engine, { priority: 'event.data.amount / 100.0' })).toEqual([
      expect.objectContaining({
        message: 'must be a whole number (int), but it evaluates to double (at line 1, column 1)',
      }),
    ]);
    expect(triggerExpressionProblems(engine, { priority: 'event.data.level +' })).toEqual([
      {
        path: 'priority',
        message: expect.stringContaining('(at line 1, column 19)'),
        position: { line: 1, column: 19, offset: 18 },
      },
    ]);
  });

  it('compiles a cancelOn condition and match key, reporting their problems with positions', () => {
    const activation = { event: event.cel, trigger };
    const { cancel } = compileTriggerExpressions(engine, {
      cancelOn: { condition: "event.data.role == 'admin'", match: 'event.data.ref' },
    });
    expect(cancel?.filter.matches(event, trigger)).toBe(true);
    expect(cancel?.key?.evaluate(activation)).toBe('refs/heads/main');
    expect(compileTriggerExpressions(engine, { cancelOn: {} }).cancel?.key).toBeUndefined();
    expect(compileTriggerExpressions(engine, {}).cancel).toBeUndefined();
    expect(
      triggerExpressionProblems(engine, { cancelOn: { condition: '1', match: 'events' } }),
    ).toEqual([
      {
        path: 'cancelOn.condition',
        message: 'must be true or false, but it evaluates to int (at line 1, column 1)',
        position: { line: 1, column: 1, offset: 0 },
      },
      {
        path: 'cancelOn.match',
        message: 'Unknown variable: events (at line 1, column 1)',
        position: { line: 1, column: 1, offset: 0 },
      },
    ]);
  });

  it('reports every expression that does not compile with its path', () => {
    const source = {
      condition: 'event.data.amount +',
      dedupe: { key: 'batch.size()' },
      batch: { key: "'a' - 1" },
      debounce: { key: 'event.data.' },
      correlate: 'event.id',
      concurrency: { key: 'events' },
      input: { ok: 'batch.size()', bad: 'event.', 'odd key': 'nope', retries: 3 },
    };
    expect(triggerExpressionProblems(engine, source)).toEqual([
      {
        path: 'condition',
        message: expect.stringMatching(/^Unexpected token: EOF \(at line 1, column 20\)$/),
        position: { line: 1, column: 20, offset: 19 },
      },
      {
        path: 'dedupe.key',
        message: 'Unknown variable: batch (at line 1, column 1)',
        position: { line: 1, column: 1, offset: 0 },
      },
      {
        path: 'batch.key',
        message: 'no such overload: string - int (at line 1, column 1)',
        position: { line: 1, column: 1, offset: 0 },
      },
      {
        path: 'debounce.key',
        message: expect.stringContaining('(at line 1, column 12)'),
        position: { line: 1, column: 12, offset: 11 },
      },
      {
        path: 'concurrency.key',
        message: 'Unknown variable: events (at line 1, column 1)',
        position: { line: 1, column: 1, offset: 0 },
      },
      {
        path: 'input.bad',
        message: expect.stringContaining('(at line 1, column 7)'),
        position: { line: 1, column: 7, offset: 6 },
      },
      {
        path: 'input["odd key"]',
        message: 'Unknown variable: nope (at line 1, column 1)',
        position: { line: 1, column: 1, offset: 0 },
      },
    ]);
    expect(() => compileTriggerExpressions(engine, source)).toThrow(TriggerExpressionError);
    expect(triggerExpressionProblems(engine, { condition: 'event.id == "x"' })).toEqual([]);
  });

  it('gives inputs the variables of their scope', () => {
    expect(inputScopeOf({ batch: {} })).toBe('batch');
    expect(inputScopeOf({ logic: 'all' })).toBe('compound');
    expect(inputScopeOf({ logic: 'any' })).toBe('event');
    expect(
      triggerExpressionProblems(engine, { logic: 'all', input: { e: "events['a'].id" } }),
    ).toEqual([]);
    expect(triggerExpressionProblems(engine, { input: "events['a'].id" })).toEqual([
      {
        path: 'input',
        message: 'Unknown variable: events (at line 1, column 1)',
        position: { line: 1, column: 1, offset: 0 },
      },
    ]);
  });
});
