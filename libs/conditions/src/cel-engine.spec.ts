import { CelEngine } from './cel-engine';
import { CelCompileError, CelEvaluationError, positionAt } from './errors';
import { EventContext } from './event-context';
import { sampleEvent } from './test-events';

describe('CelEngine', () => {
  let engine: CelEngine;
  const event = new EventContext(sampleEvent()).cel;

  beforeAll(async () => {
    engine = await CelEngine.create({ cacheSize: 3 });
  });

  it('evaluates expressions over the event', () => {
    const compiled = engine.compile(
      "event.data.amount > 1000 && event.source.startsWith('flint/webhook') && 'a' in event.data.tags",
      { variables: ['event'], result: 'bool' },
    );
    expect(compiled.type).toBe('bool');
    expect(compiled.evaluate({ event })).toBe(true);
    expect(
      engine.compile('event.data.amount + 1', { variables: ['event'] }).evaluate({ event }),
    ).toBe(1501n);
    expect(
      engine
        .compile('event.data.commits.map(c, c.id)', { variables: ['event'] })
        .evaluate({ event }),
    ).toEqual(['c1', 'c2']);
  });

  it('reports a syntax error with its line and column', () => {
    const compile = () =>
      engine.compile("event.type == 'x' &&\n  event.data.amount >", { variables: ['event'] });
    expect(compile).toThrow(CelCompileError);
    expect(compile).toThrow('Unexpected token: EOF (at line 2, column 22)');
    try {
      compile();
    } catch (err) {
      expect((err as CelCompileError).position).toEqual({ line: 2, column: 22, offset: 42 });
    }
  });

  it('reports type errors, unknown variables and functions at compile time', () => {
    expect(() => engine.compile("'a' + 1", { variables: ['event'] })).toThrow(
      'no such overload: string + int (at line 1, column 1)',
    );
    expect(() => engine.compile('batch.size() > 1', { variables: ['event'] })).toThrow(
      'Unknown variable: batch',
    );
    expect(() => engine.compile('exec(event)', { variables: ['event'] })).toThrow(
      "found no matching overload for 'exec(map<dyn, dyn>)'",
    );
    expect(() => engine.compile('   ', { variables: ['event'] })).toThrow(
      'the expression is empty',
    );
  });

  it('refuses a condition that cannot be true or false', () => {
    expect(() =>
      engine.compile('event.data.amount + 1', { variables: ['event'], result: 'bool' }),
    ).toThrow('must be true or false, but it evaluates to int (at line 1, column 1)');
    expect(engine.compile('event.data.flag', { variables: ['event'], result: 'bool' }).type).toBe(
      'dyn',
    );
  });

  it('turns failures on an input into CelEvaluationError', () => {
    const compiled = engine.compile('event.data.missing.deeper == 1', { variables: ['event'] });
    expect(() => compiled.evaluate({ event })).toThrow(
      new CelEvaluationError(compiled.source, 'No such key: missing'),
    );
    const typeMismatch = engine.compile('event.data.role > 1', { variables: ['event'] });
    expect(() => typeMismatch.evaluate({ event })).toThrow('no such overload: dyn<string> > int');
    const badRegex = engine.compile('event.type.matches(event.data.role)', {
      variables: ['event'],
    });
    expect(() =>
      badRegex.evaluate({ event: { ...(event as object), data: { role: '[' } } }),
    ).toThrow(
      new CelEvaluationError(
        badRegex.source,
        'the regular expression "[" cannot be used: Unterminated character class',
      ),
    );
  });

  it('refuses a literal pattern in matches that is invalid, with its position', () => {
    expect(() => engine.compile("event.type.matches('[')", { variables: ['event'] })).toThrow(
      new CelCompileError(
        "event.type.matches('[')",
        'the regular expression "[" cannot be used: Unterminated character class',
        positionAt("event.type.matches('[')", 19),
      ),
    );
  });

  it('compiles an expression once per variable set and keeps the cache bounded', () => {
    const first = engine.compile('event.id', { variables: ['event', 'trigger'] });
    expect(engine.compile('event.id', { variables: ['trigger', 'event'] })).toBe(first);
    expect(engine.compile('event.id', { variables: ['event'] })).not.toBe(first);
    for (const n of [1, 2, 3]) engine.compile(`event.id + '${n}'`, { variables: ['event'] });
    expect(engine.compile('event.id', { variables: ['event', 'trigger'] })).not.toBe(first);
  });

  it('refuses expressions beyond the structural limits', () => {
    const deep = `${'('.repeat(200)}1${')'.repeat(200)}`;
    expect(() => engine.compile(deep, { variables: [] })).toThrow(CelCompileError);
  });
});
