import fc from 'fast-check';
import { CelEngine } from './cel-engine';
import { CelCompileError, CelEvaluationError } from './errors';
import { EventContext } from './event-context';

/** Pieces CEL expressions are made of, so generated text gets past the lexer often enough to matter. */
const TOKENS = [
  'event',
  'trigger',
  'batch',
  'events',
  '.',
  'data',
  'type',
  'source',
  'id',
  'status_code',
  '==',
  '!=',
  '<',
  '>=',
  '&&',
  '||',
  '!',
  '+',
  '-',
  '*',
  '/',
  '%',
  '?',
  ':',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  'in',
  'has',
  'size',
  'startsWith',
  'matches',
  'map',
  'filter',
  'all',
  'exists',
  'int',
  'string',
  'dyn',
  'true',
  'false',
  'null',
  '1',
  '0',
  '-1',
  '3.5',
  '"a"',
  "'b'",
  'b"x"',
  '9223372036854775807',
  '18446744073709551616u',
  '\\',
  '"',
  "'",
  '`',
  ' ',
  '\n',
  '\t',
  '\u0000',
  '\u{1F600}',
  'e',
  'x',
  '.map(x, x)',
  '.exists(x, x > 1)',
];

const expression = fc.oneof(
  fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((parts) => parts.join('')),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 20 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

describe('CEL conditions under generated input', () => {
  let engine: CelEngine;

  beforeAll(async () => {
    engine = await CelEngine.create({ cacheSize: 100 });
  });

  it('compiles any text to a condition or a compile error with a position, never anything else', () => {
    fc.assert(
      fc.property(expression, (text) => {
        try {
          engine.compile(text, { variables: ['event', 'trigger'], result: 'bool' });
        } catch (err) {
          expect(err).toBeInstanceOf(CelCompileError);
          const error = err as CelCompileError;
          if (text.trim() !== '') expect(error.message).toMatch(/line \d+, column \d+/);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('evaluates compiled conditions on any event data to a value or an evaluation error', () => {
    const conditions = [
      'event.data.a == 1',
      "has(event.data.a) && event.data.a.startsWith('x')",
      'size(event.data) > 2 || event.data.b.c[0] > 3',
      'event.data.a in [1, "2", null]',
      'event.data.list.exists(x, x == event.data.a)',
      'int(event.data.a) % 2 == 0',
    ].map((text) => engine.compile(text, { variables: ['event', 'trigger'], result: 'bool' }));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('a', 'b', 'list', 'c'), json), (data) => {
        const { cel } = new EventContext({
          specversion: '1.0',
          id: 'e1',
          source: 'test',
          type: 'com.example',
          time: '2026-01-01T00:00:00Z',
          data,
          flintsourceid: 's',
          flintprovider: 'webhook',
          flintacceptedat: '2026-01-01T00:00:00Z',
        });
        for (const condition of conditions) {
          try {
            condition.evaluate({ event: cel, trigger: {} });
          } catch (err) {
            expect(err).toBeInstanceOf(CelEvaluationError);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
