import { fromCel, NotJsonError, toCel } from './json-value';

describe('JSON to CEL and back', () => {
  it('makes whole numbers CEL ints and keeps the rest', () => {
    expect(
      toCel({ n: 3, x: 1.5, big: 2 ** 60, s: 'a', list: [1, { b: true }], nothing: null }),
    ).toEqual({ n: 3n, x: 1.5, big: 2 ** 60, s: 'a', list: [1n, { b: true }], nothing: null });
    const bytes = new Uint8Array([1, 2]);
    expect(toCel(bytes)).toBe(bytes);
    expect(toCel({ gone: undefined })).toEqual({});
  });

  it('turns CEL results into JSON', () => {
    expect(
      fromCel({
        n: 3n,
        list: [1n, 'x', null],
        map: new Map<unknown, unknown>([
          ['a', 1n],
          [2n, true],
        ]),
        at: new Date('2026-01-02T03:04:05Z'),
      }),
    ).toEqual({
      n: 3,
      list: [1, 'x', null],
      map: { a: 1, '2': true },
      at: '2026-01-02T03:04:05.000Z',
    });
  });

  it('refuses what JSON cannot carry and says where it is', () => {
    expect(() => fromCel({ urls: [new Uint8Array([1])] })).toThrow(
      new NotJsonError('urls[0] is a CEL bytes value, not JSON; convert it to a string'),
    );
    expect(() => fromCel(2n ** 60n)).toThrow(
      'the result is the int 1152921504606846976, beyond what JSON numbers hold exactly',
    );
    expect(() => fromCel({ 'a-b': Infinity })).toThrow('["a-b"] is Infinity, which JSON lacks');
    expect(() => fromCel(undefined)).toThrow('the result has no value');
    expect(() => fromCel(() => 1)).toThrow('the result is a function, not JSON');
  });

  it('refuses to walk a value nested deeper than MAX_JSON_DEPTH instead of overflowing the stack', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 5000; level++) deep = [deep];
    expect(() => toCel(deep)).toThrow(new NotJsonError('the value nests deeper than 100 levels'));
    let fine: unknown = 1;
    for (let level = 0; level < 100; level++) fine = { a: fine };
    expect(() => toCel(fine)).not.toThrow();
  });
});
