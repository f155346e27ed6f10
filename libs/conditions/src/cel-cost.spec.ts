import fc from 'fast-check';
import { CEL_COST_LIMIT, CEL_MAX_COMPREHENSION_NESTING } from './cel-cost';
import { CelEngine } from './cel-engine';
import { CelCompileError, CelEvaluationError, positionAt } from './errors';
import { toCel } from './json-value';

const STOPPED = `the expression was stopped after ${CEL_COST_LIMIT.toLocaleString('en-US')} evaluation steps`;

describe('the cost bound of CEL evaluation', () => {
  let engine: CelEngine;

  beforeAll(async () => {
    engine = await CelEngine.create();
  });

  const compile = (expression: string) => engine.compile(expression, { variables: ['event'] });
  const on = (data: unknown) => ({ event: toCel({ type: 'demo', data }) });
  const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('lets a loop inside a loop run over a small list and stops it over a large one', () => {
    const pairs = compile('event.data.ids.all(a, event.data.ids.exists(b, a == b))');
    expect(pairs.evaluate(on({ ids: ids(100) }))).toBe(true);
    expect(() => pairs.evaluate(on({ ids: ids(5000) }))).toThrow(CelEvaluationError);
    expect(() => pairs.evaluate(on({ ids: ids(5000) }))).toThrow(STOPPED);
  });

  it('stops lists copied in a loop and strings doubled level after level', () => {
    const copies = compile('event.data.ids.map(a, event.data.ids + event.data.ids).size()');
    expect(() => copies.evaluate(on({ ids: ids(3000) }))).toThrow(STOPPED);
    const doubling = compile(
      '[event.data.s + event.data.s].map(a, [a + a].map(b, [b + b].map(c, c + c + c + c))).size()',
    );
    expect(() => doubling.evaluate(on({ s: 'x'.repeat(2_000_000) }))).toThrow(STOPPED);
    expect(doubling.evaluate(on({ s: 'x' }))).toBe(1n);
  });

  it('refuses the evaluation even when CEL would let an error pass (|| true)', () => {
    const absorbed = compile(
      'event.data.ids.all(a, event.data.ids.all(b, a == b || a != b)) || true',
    );
    expect(absorbed.evaluate(on({ ids: ids(10) }))).toBe(true);
    expect(() => absorbed.evaluate(on({ ids: ids(5000) }))).toThrow(STOPPED);
  });

  it('matches in linear time: a pattern that backtracks exponentially elsewhere answers at once', () => {
    const nested = compile("event.data.s.matches('^(a+)+$')");
    expect(nested.evaluate(on({ s: `${'a'.repeat(5000)}b` }))).toBe(false);
    expect(nested.evaluate(on({ s: 'a'.repeat(5000) }))).toBe(true);
    const fromData = compile('event.data.s.matches(event.data.p)');
    expect(fromData.evaluate(on({ s: `${'x'.repeat(5000)}`, p: '(x+x+)+y' }))).toBe(false);
  });

  it('refuses patterns that cannot run in linear time: at compile time, or on the event', () => {
    const expression = "event.type.matches('(a)\\\\1')";
    expect(() => compile(expression)).toThrow(
      new CelCompileError(
        expression,
        'the regular expression "(a)\\\\1" cannot be used: back-references and lookaround cannot be matched in linear time',
        positionAt(expression, 19),
      ),
    );
    const fromData = compile('event.data.s.matches(event.data.p)');
    expect(() => fromData.evaluate(on({ s: 'ab', p: 'a(?=b)' }))).toThrow(
      'the regular expression "a(?=b)" cannot be used: back-references and lookaround',
    );
  });

  it(`refuses comprehensions nested deeper than ${CEL_MAX_COMPREHENSION_NESTING}, with the position`, () => {
    const nest = (depth: number): string =>
      depth === 0 ? 'true' : `event.data.ids.all(x${depth}, ${nest(depth - 1)})`;
    expect(compile(nest(CEL_MAX_COMPREHENSION_NESTING)).evaluate(on({ ids: ids(3) }))).toBe(true);
    const tooDeep = nest(CEL_MAX_COMPREHENSION_NESTING + 1);
    expect(() => compile(tooDeep)).toThrow(
      new CelCompileError(
        tooDeep,
        `all, exists, exists_one, map and filter nest at most ${CEL_MAX_COMPREHENSION_NESTING} deep; this one is deeper`,
        positionAt(tooDeep, tooDeep.lastIndexOf('event.data.ids.all')),
      ),
    );
  });

  /** Costly shapes, composed at random: loops, copies, concatenation, scans, patterns. */
  const costly: fc.Arbitrary<string> = fc.letrec<{ list: string; text: string; bool: string }>(
    (tie) => ({
      list: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constant('event.data.xs'),
        fc.constant("event.data.s.split('')"),
        tie('list').map((l) => `(${l} + ${l})`),
        tie('list').map((l) => `${l}.map(v, v)`),
        fc.tuple(tie('list'), tie('bool')).map(([l, b]) => `${l}.filter(v, ${b})`),
      ),
      text: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constant('event.data.s'),
        tie('text').map((t) => `(${t} + ${t})`),
        tie('list').map((l) => `string(size(${l}))`),
      ),
      bool: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constant('true'),
        tie('text').map((t) => `${t}.contains('zz')`),
        tie('text').map((t) => `${t}.matches('^(a|aa)*$')`),
        fc.tuple(tie('list'), tie('bool')).map(([l, b]) => `${l}.exists(v, ${b})`),
        fc.tuple(tie('list'), tie('bool')).map(([l, b]) => `${l}.all(v, ${b})`),
        fc.tuple(tie('bool'), tie('bool')).map(([a, b]) => `(${a} || ${b})`),
      ),
    }),
  ).bool;

  it('gives every generated costly condition a value or a CelEvaluationError, the same each time', () => {
    const event = fc.record({
      xs: fc.array(fc.integer(), { maxLength: 2000 }),
      s: fc.string({ unit: fc.constantFrom('a', 'b', 'z'), maxLength: 5000 }),
    });
    fc.assert(
      fc.property(costly, event, (expression, data) => {
        let compiled;
        try {
          compiled = compile(expression);
        } catch (err) {
          // Nested too deep for the static bound: refused with a position, never evaluated.
          expect(err).toBeInstanceOf(CelCompileError);
          return;
        }
        const outcome = () => {
          try {
            return compiled.evaluate(on(data));
          } catch (err) {
            expect(err).toBeInstanceOf(CelEvaluationError);
            return (err as Error).message;
          }
        };
        expect(outcome()).toEqual(outcome());
      }),
      { numRuns: 150 },
    );
  });
});
